'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface) {
    // Prices used to be stored in whole dollars in list_price; move them to price_cents.
    await queryInterface.sequelize.query(
      'UPDATE widgets SET price_cents = list_price * 100 WHERE list_price IS NOT NULL',
    );
  },

  async down(queryInterface) {
    await queryInterface.bulkUpdate('widgets', { price_cents: 0 }, {});
  },
};
