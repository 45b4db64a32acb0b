import { Type } from '@sinclair/typebox';

import { Open } from './common';

const OrderState = {
  stage: Type.String({ description: 'Table 1 process stage: drafting, review, signing, execution, frozen' }),
  status: Type.String({ description: 'Table 1 operation status' }),
  nextOperator: Type.Union([Type.String(), Type.Null()], { description: 'exchange, retailer, user; null at the end' }),
};

export const Participant = Type.Object(
  {
    handle: Type.String(),
    mspId: Type.String(),
    role: Type.String(),
    id: Type.String(),
    version: Type.Integer(),
    registeredAt: Type.String(),
    updatedAt: Type.String(),
  },
  { ...Open, $id: 'Participant' },
);

export const Template = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    region: Type.String(),
    marketStage: Type.String(),
    targetUserType: Type.String(),
    priceTerms: Type.Object({ model: Type.String() }, Open),
    validFrom: Type.String(),
    validTo: Type.String(),
    version: Type.Integer(),
    createdAt: Type.String(),
  },
  { ...Open, $id: 'Template' },
);

export const Terms = Type.Object(
  { quantityMWh: Type.String(), tradePrice: Type.String(), settlementPrice: Type.String(), salt: Type.String() },
  { $id: 'Terms' },
);

export const Order = Type.Object(
  {
    id: Type.String(),
    packageId: Type.String(),
    packageVersion: Type.Integer(),
    content: Type.String(),
    buyer: Type.Object({ handle: Type.String(), mspId: Type.String() }),
    buyerType: Type.String(),
    seller: Type.Object({ handle: Type.String(), mspId: Type.String() }),
    reviewMode: Type.String(),
    ...OrderState,
    operator: Type.String(),
    operatorId: Type.String(),
    refreshTime: Type.String(),
    createdAt: Type.String(),
    termsHash: Type.String(),
    historyLength: Type.Integer(),
    terms: Type.Optional(Type.Ref('Terms')),
  },
  { ...Open, $id: 'Order', description: "The order as the caller may see it: its parties get the private terms, others don't" },
);

export const HistoryEntry = Type.Object(
  {
    seq: Type.Integer(),
    action: Type.String(),
    from: Type.Union([Type.Object(OrderState), Type.Null()]),
    to: Type.Object(OrderState),
    operator: Type.String(),
    operatorId: Type.String(),
    reason: Type.String(),
    txId: Type.String(),
    time: Type.String(),
  },
  { ...Open, $id: 'HistoryEntry' },
);

export const Filing = Type.Object(
  {
    hash: Type.String(),
    submittedBy: Type.Array(Type.String()),
    filed: Type.Optional(Type.Object({ ciphertextSha256: Type.String(), filedBy: Type.String(), filedAt: Type.String() })),
    ciphertext: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { $id: 'Filing' },
);

export const sharedSchemas = [Participant, Template, Terms, Order, HistoryEntry, Filing];
