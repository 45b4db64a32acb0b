import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { energysale, peerOrg } from '../topology';
import { ChannelConfigError, type ConfigJson } from './config';
import { revocationListOf, withRevocationList } from './revocation';

const consumer = peerOrg(energysale, 'consumer');
const retailer = peerOrg(energysale, 'retailer');
const crl = (n: number): string => `-----BEGIN X509 CRL-----\nMIIB${n}\n-----END X509 CRL-----\n`;

/** The application orgs' MSP values of a decoded channel config, as configtxlator prints them. */
function config(consumerList?: string[]): ConfigJson {
  const msp = (name: string, list?: string[]) => ({
    MSP: { mod_policy: 'Admins', value: { config: { name, root_certs: ['cm9vdA=='], ...(list ? { revocation_list: list } : {}) }, type: 0 }, version: '0' },
  });
  return {
    channel_group: {
      groups: {
        Application: {
          groups: {
            [consumer.mspId]: { mod_policy: 'Admins', values: msp(consumer.mspId, consumerList) },
            [retailer.mspId]: { mod_policy: 'Admins', values: msp(retailer.mspId) },
          },
        },
      },
    },
  };
}

void describe("an org's CRL in the channel config", () => {
  void it('reads none where the MSP has no revocation list', () => {
    assert.deepEqual(revocationListOf(config(), consumer), []);
  });

  void it("puts the CA's CRL (base64 of the PEM) into that org's MSP only, leaving the original untouched", () => {
    const original = config();
    const updated = withRevocationList(original, consumer, crl(1));
    assert.deepEqual(revocationListOf(updated, consumer), [crl(1)]);
    assert.deepEqual(revocationListOf(updated, retailer), []);
    assert.deepEqual(original, config());
    const expected = config([Buffer.from(crl(1)).toString('base64')]);
    assert.deepEqual(updated, expected);
  });

  void it("replaces the org's earlier CRL: a CA's newer CRL lists every certificate it revoked", () => {
    const updated = withRevocationList(config([Buffer.from(crl(1)).toString('base64')]), consumer, crl(2));
    assert.deepEqual(revocationListOf(updated, consumer), [crl(2)]);
  });

  void it('refuses what is not a PEM CRL, and a config without the org', () => {
    assert.throws(() => withRevocationList(config(), consumer, 'not a crl'), ChannelConfigError);
    assert.throws(() => revocationListOf({ channel_group: { groups: { Application: { groups: {} } } } }, consumer), new RegExp(`no MSP for ${consumer.mspId}`));
  });
});
