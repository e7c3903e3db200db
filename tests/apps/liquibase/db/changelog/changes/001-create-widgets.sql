--liquibase formatted sql

--changeset maria.keller:create-widgets
CREATE TABLE widgets (
    id   SERIAL PRIMARY KEY,
    name VARCHAR(200) NOT NULL
);
--rollback DROP TABLE widgets;
