// Prices used to be stored in whole dollars in list_price; move them to price_cents.
exports.up = async function (knex) {
  await knex.raw('UPDATE widgets SET price_cents = list_price * 100 WHERE list_price IS NOT NULL');
};

exports.down = async function (knex) {
  await knex('widgets').update({ price_cents: 0 });
};
