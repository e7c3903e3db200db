exports.up = function (knex) {
  return knex.schema.createTable('widgets', (table) => {
    table.increments('id');
    table.string('name', 120).notNullable();
    table.timestamps(true, true);
  });
};

exports.down = function (knex) {
  return knex.schema.dropTable('widgets');
};
