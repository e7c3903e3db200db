exports.up = function (knex) {
  return knex.schema.alterTable('widgets', (table) => {
    table.integer('price_cents').notNullable().defaultTo(0);
    table.index(['name'], 'widgets_name_idx');
  });
};

exports.down = function (knex) {
  return knex.schema.alterTable('widgets', (table) => {
    table.dropIndex(['name'], 'widgets_name_idx');
    table.dropColumn('price_cents');
  });
};
