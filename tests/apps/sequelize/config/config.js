// sequelize-cli picks the block named by NODE_ENV (default "development").
const fromEnv = {
  use_env_variable: 'DATABASE_URL',
  dialect: 'postgres',
  logging: false,
};

module.exports = {
  development: fromEnv,
  test: fromEnv,
  production: fromEnv,
};
