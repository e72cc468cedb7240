-- 0002: operator connections per server node, for presence and the disconnect grace period.
CREATE TABLE operator_connections (
    connection_id character varying(128) NOT NULL,
    operator_id text NOT NULL,
    node_id character varying(64) NOT NULL,
    connected_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_operator_connections PRIMARY KEY (connection_id),
    CONSTRAINT fk_operator_connections_users_operator_id FOREIGN KEY (operator_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_operator_connections_operator_id ON operator_connections (operator_id);

ALTER TABLE users ADD disconnected_at timestamp with time zone;
