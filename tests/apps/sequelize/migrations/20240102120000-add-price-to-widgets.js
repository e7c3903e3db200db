'use strict';

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.addColumn('widgets', 'price_cents', {
      type: Sequelize.INTEGER,
      allowNull: false,
      defaultValue: 0,
    });
    await queryInterface.addIndex('widgets', ['name'], { name: 'widgets_name_idx' });
  },

  async down(queryInterface) {
    await queryInterface.removeIndex('widgets', 'widgets_name_idx');
    await queryInterface.removeColumn('widgets', 'price_cents');
  },
};
