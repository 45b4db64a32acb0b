import type { ErrorCode } from '../errors';

/** A valid template as a client would submit it. */
export const monthlyFixedTemplate = {
  id: 'js-2025-01-fixed',
  name: '江苏 2025年1月 固定价格套餐',
  region: 'Jiangsu',
  marketStage: 'monthly',
  targetUserType: 'commercial',
  priceTerms: { model: 'fixed', price: '412.50' },
  validFrom: '2025-01-01',
  validTo: '2025-02-01',
} as const;

/** Matches a ContractError with `code`, for assert.throws and assert.rejects. */
export function contractError(code: ErrorCode, detail = /.*/): { code: ErrorCode; message: RegExp } {
  return { code, message: new RegExp(`^${code}: ${detail.source}`) };
}
