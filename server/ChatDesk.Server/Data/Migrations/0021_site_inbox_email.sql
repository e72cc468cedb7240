-- 0021: a site's inbox address, where its offline messages are e-mailed (through the outbox of 0018) when SMTP is set up.
ALTER TABLE sites ADD inbox_email character varying(254);
