const { EntitySchema } = require('typeorm');

exports.Widget = new EntitySchema({
  name: 'Widget',
  tableName: 'widgets',
  columns: {
    id: { type: 'int', primary: true, generated: 'increment' },
    name: { type: 'varchar', length: 120 },
    priceCents: { type: 'int', name: 'price_cents', default: 0 },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
  },
});
