-- 0010: files sent in chats. Per-site size limit and type allow-list; file descriptions; their
-- bytes in a table of their own (the default store; ChatDesk:Files:Folder keeps them in a folder
-- instead); a message refers to the file it shares.
ALTER TABLE sites ADD max_file_bytes bigint NOT NULL DEFAULT 10485760;
ALTER TABLE sites ADD allowed_file_types text[] NOT NULL DEFAULT '{png,jpg,jpeg,gif,webp,pdf,txt,csv,docx,xlsx,pptx,odt,ods,odp,doc,xls,ppt}';

CREATE TABLE shared_files (
    id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    name character varying(120) NOT NULL,
    content_type character varying(100) NOT NULL,
    size bigint NOT NULL,
    uploader_kind character varying(16) NOT NULL,
    uploader_operator_id text,
    storage character varying(16) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT pk_shared_files PRIMARY KEY (id),
    CONSTRAINT fk_shared_files_conversations_conversation_id FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
    CONSTRAINT fk_shared_files_users_uploader_operator_id FOREIGN KEY (uploader_operator_id) REFERENCES users (id)
);
CREATE INDEX ix_shared_files_conversation_id ON shared_files (conversation_id);
CREATE INDEX ix_shared_files_uploader_operator_id ON shared_files (uploader_operator_id);

CREATE TABLE shared_file_contents (
    file_id uuid NOT NULL,
    content bytea NOT NULL,
    CONSTRAINT pk_shared_file_contents PRIMARY KEY (file_id),
    CONSTRAINT fk_shared_file_contents_shared_files_file_id FOREIGN KEY (file_id) REFERENCES shared_files (id) ON DELETE CASCADE
);
-- Bytes are already compressed in most allowed types (images, PDF, office documents).
ALTER TABLE shared_file_contents ALTER COLUMN content SET STORAGE EXTERNAL;

ALTER TABLE messages ADD file_id uuid;
ALTER TABLE messages ADD CONSTRAINT fk_messages_shared_files_file_id FOREIGN KEY (file_id) REFERENCES shared_files (id);
CREATE INDEX ix_messages_file_id ON messages (file_id);
