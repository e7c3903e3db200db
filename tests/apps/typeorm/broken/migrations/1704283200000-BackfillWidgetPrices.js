// Prices used to be stored in whole dollars in list_price; move them to price_cents.
module.exports = class BackfillWidgetPrices1704283200000 {
  name = 'BackfillWidgetPrices1704283200000';

  async up(queryRunner) {
    await queryRunner.query(
      `UPDATE "widgets" SET "price_cents" = "list_price" * 100 WHERE "list_price" IS NOT NULL`,
    );
  }

  async down(queryRunner) {
    await queryRunner.query(`UPDATE "widgets" SET "price_cents" = 0`);
  }
};
