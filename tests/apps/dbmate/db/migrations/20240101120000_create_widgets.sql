-- migrate:up
CREATE TABLE widgets (
  id bigserial PRIMARY KEY,
  name varchar(120) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE widgets;
