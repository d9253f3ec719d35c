/** Test schemas: one order type in the three formats. */
export interface Order {
  readonly id: string;
  readonly amount: number;
  readonly currency: string;
}

const fields = { id: 'string', amount: 'double', currency: 'string' };
export const orderAvro = { type: 'record', name: 'Order', namespace: 'shop', fields: Object.entries(fields).map(([name, type]) => ({ name, type })) };

/** Two top-level messages, the second with a nested one: message indexes [0], [1] and [1, 0]. */
export const orderProto = `syntax = "proto3";
package shop;

message Order {
  string id = 1;
  double amount = 2;
  string currency = 3;
}

message Refund {
  string order_id = 1;
  message Reason {
    string text = 1;
  }
  Reason reason = 2;
}
`;

export const orderJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'shop.Order',
  type: 'object',
  properties: { id: { type: 'string' }, amount: { type: 'number' }, currency: { type: 'string', minLength: 3, maxLength: 3 } },
  required: ['id', 'amount', 'currency'],
  additionalProperties: false,
};

export const order = (i: number): Order => ({ id: `o-${i}`, amount: i + 0.5, currency: 'EUR' });
