module.exports = class AddPriceToWidgets1704196800000 {
  name = 'AddPriceToWidgets1704196800000';

  async up(queryRunner) {
    await queryRunner.query(`ALTER TABLE "widgets" ADD "price_cents" integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`CREATE INDEX "IDX_widgets_name" ON "widgets" ("name")`);
  }

  async down(queryRunner) {
    await queryRunner.query(`DROP INDEX "IDX_widgets_name"`);
    await queryRunner.query(`ALTER TABLE "widgets" DROP COLUMN "price_cents"`);
  }
};
