const { DataTypes, Model } = require('sequelize');

module.exports = (sequelize) => {
  class Widget extends Model {}
  Widget.init(
    {
      name: { type: DataTypes.STRING(120), allowNull: false },
      priceCents: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0, field: 'price_cents' },
    },
    { sequelize, modelName: 'Widget', tableName: 'widgets', underscored: true },
  );
  return Widget;
};
