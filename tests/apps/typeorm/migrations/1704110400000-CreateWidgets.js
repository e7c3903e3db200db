module.exports = class CreateWidgets1704110400000 {
  name = 'CreateWidgets1704110400000';

  async up(queryRunner) {
    await queryRunner.query(
      `CREATE TABLE "widgets" ("id" SERIAL NOT NULL, "name" character varying(120) NOT NULL, ` +
        `"created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), ` +
        `CONSTRAINT "PK_widgets_id" PRIMARY KEY ("id"))`,
    );
  }

  async down(queryRunner) {
    await queryRunner.query(`DROP TABLE "widgets"`);
  }
};
