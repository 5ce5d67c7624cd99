// sequelize-cli configuration: the same DATABASE_URL the app uses.
const url = process.env.DATABASE_URL || `postgres://nucleusid:nucleusid@127.0.0.1:${process.env.EMBEDDED_PG_PORT || 54329}/nucleusid`
const config = { url, dialect: 'postgres', logging: false }
module.exports = { development: config, test: config, production: config }
