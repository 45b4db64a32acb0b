// A chaincode on fabric-shim's low-level API (no fabric-contract-api), in TypeScript: Init and
// Invoke dispatch by function name, and Shim.start() runs it, as Fabric's test network would.
import { ChaincodeInterface, ChaincodeResponse, ChaincodeStub, Shim } from 'fabric-shim';

class Counter implements ChaincodeInterface {
  async Init(stub: ChaincodeStub): Promise<ChaincodeResponse> {
    await stub.putState('count', Buffer.from('0'));
    return Shim.success();
  }

  async Invoke(stub: ChaincodeStub): Promise<ChaincodeResponse> {
    const { fcn, params } = stub.getFunctionAndParameters();
    const current = Number(Buffer.from(await stub.getState('count')).toString() || '0');
    switch (fcn) {
      case 'Add': {
        const by = Number(params[0] ?? '1');
        if (!Number.isInteger(by)) return Shim.error(`Add needs an integer, got ${params[0]}`);
        const next = current + by;
        await stub.putState('count', Buffer.from(String(next)));
        return Shim.success(Buffer.from(String(next)));
      }
      case 'Get':
        return Shim.success(Buffer.from(String(current)));
      default:
        return Shim.error(`unknown function ${fcn}`);
    }
  }
}

Shim.start(new Counter());
