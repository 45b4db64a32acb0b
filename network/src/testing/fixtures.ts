/**
 * A retail package template valid from last year to two years ahead, so that orders may be
 * declared from it whenever a test or benchmark runs. `overrides` replace fields.
 */
export function currentTemplate(id: string, name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const year = new Date().getUTCFullYear();
  return {
    id,
    name,
    region: 'Jiangsu',
    marketStage: 'monthly',
    targetUserType: 'commercial',
    priceTerms: { model: 'fixed', price: '400.00' },
    validFrom: `${year - 1}-01-01`,
    validTo: `${year + 2}-01-01`,
    ...overrides,
  };
}
