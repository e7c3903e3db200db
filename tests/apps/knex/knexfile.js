// Knex reads this file from the working directory; the database comes from the environment.
module.exports = {
  client: 'pg',
  connection: process.env.DATABASE_URL,
  pool: { min: 0, max: 2 },
  migrations: {
    directory: './migrations',
    tableName: 'knex_migrations',
  },
};
