'use strict';

// The calibration contract of `bench ceiling` (issue 28, "The ceiling"): the least a read and a write
// can do on this network, so that what the same load costs against the retail contract, over the
// cost measured against this one, is the retail contract's and the service's, not Fabric's.
// No identity check, no JSON, no validation beyond the arguments' count: anything more would be
// counted as Fabric's.
const { Contract } = require('fabric-contract-api');

class Calibration extends Contract {
    constructor() {
        super('calibration');
    }

    // A read that touches nothing: the evaluate round trip (gateway, endorser, chaincode server) alone.
    async Noop() {
        return '';
    }

    // A blind write of one key (no read first, so no MVCC conflict between writers): the write path
    // (endorsement by the policy's orgs, ordering, validation, commit) with the smallest write set.
    async Put(ctx, key, value) {
        if (typeof key !== 'string' || key === '') {
            throw new Error('Put: the key is a non-empty string');
        }
        await ctx.stub.putState(key, Buffer.from(String(value ?? '')));
        return '';
    }
}

module.exports = Calibration;
