import { Type, type Static } from '@sinclair/typebox';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'INVALID_REQUEST, UNAUTHORIZED, a chaincode code (INVALID_ARGUMENT, FORBIDDEN_ROLE, NOT_FOUND, CONFLICT, ILLEGAL_TRANSITION) or a Fabric failure' }),
    instance: Type.String(),
    transactionId: Type.Optional(Type.String()),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

/** The error responses every authenticated route may give. */
export const problems = {
  400: Type.Ref('Problem'),
  401: Type.Ref('Problem'),
  403: Type.Ref('Problem'),
  404: Type.Ref('Problem'),
  409: Type.Ref('Problem'),
  502: Type.Ref('Problem'),
  503: Type.Ref('Problem'),
} as const;

export const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'letters, digits, ".", "_", "-"; at most 64' });
export const IdParams = Type.Object({ id: Id });
export const HandleParams = Type.Object({
  msp: Type.String({ pattern: '^[A-Za-z0-9.-]{1,64}$' }),
  name: Type.String({ minLength: 1, maxLength: 128 }),
});
export const Page = Type.Object({
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  bookmark: Type.Optional(Type.String({ maxLength: 1024 })),
});
export type PageQuery = Static<typeof Page>;

export const Decimal = (description: string) => Type.String({ pattern: '^(0|[1-9]\\d{0,6})(\\.\\d{1,3})?$', description });
export const Price = Type.String({ pattern: '^(0|[1-9]\\d{0,5})(\\.\\d{1,2})?$', description: 'CNY/MWh as a decimal string, e.g. "412.50"' });

/** A record as the chaincode returns it: the listed fields, and whatever else the record holds. */
export const Open = { additionalProperties: true } as const;

export const securedBy = [{ bearer: [] }];
