'use strict';

// A small asset contract in the shape of fabric-samples' asset-transfer-basic (JavaScript):
// it knows nothing of the network that runs it.
const { Contract } = require('fabric-contract-api');

class AssetTransfer extends Contract {
    async InitLedger(ctx) {
        const assets = [
            { ID: 'asset1', Color: 'blue', Size: 5, Owner: 'Tomoko', AppraisedValue: 300 },
            { ID: 'asset2', Color: 'red', Size: 5, Owner: 'Brad', AppraisedValue: 400 },
        ];
        for (const asset of assets) {
            await ctx.stub.putState(asset.ID, Buffer.from(JSON.stringify(asset)));
        }
    }

    async CreateAsset(ctx, id, color, size, owner, appraisedValue) {
        if (await this.AssetExists(ctx, id)) {
            throw new Error(`The asset ${id} already exists`);
        }
        const asset = { ID: id, Color: color, Size: Number(size), Owner: owner, AppraisedValue: Number(appraisedValue) };
        await ctx.stub.putState(id, Buffer.from(JSON.stringify(asset)));
        return JSON.stringify(asset);
    }

    async ReadAsset(ctx, id) {
        const data = await ctx.stub.getState(id);
        if (!data || data.length === 0) {
            throw new Error(`The asset ${id} does not exist`);
        }
        return data.toString();
    }

    async AssetExists(ctx, id) {
        const data = await ctx.stub.getState(id);
        return data !== undefined && data.length > 0;
    }

    async GetAllAssets(ctx) {
        const all = [];
        for await (const { value } of ctx.stub.getStateByRange('', '')) {
            all.push(JSON.parse(Buffer.from(value).toString('utf8')));
        }
        return JSON.stringify(all);
    }
}

module.exports = AssetTransfer;
