// The one DataSource the typeorm CLI loads (-d data-source.js).
const path = require('path');
const { DataSource } = require('typeorm');
const { Widget } = require('./entities/widget');

module.exports = new DataSource({
  type: 'postgres',
  url: process.env.DATABASE_URL,
  entities: [Widget],
  migrations: [path.join(__dirname, 'migrations', '*.js')],
  migrationsTransactionMode: 'each',
  synchronize: false,
  logging: ['error', 'migration'],
});
