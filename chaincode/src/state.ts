import type { Context } from 'fabric-contract-api';

/** The state under `key` as text; undefined if absent (the stub answers an absent key with no bytes). */
export async function readState(ctx: Context, key: string): Promise<string | undefined> {
  const bytes = await ctx.stub.getState(key);
  return bytes.length === 0 ? undefined : Buffer.from(bytes).toString('utf8');
}
