-- 0007: KPI settings per site (../shared/kpis.md): FCR repeat window, service-level threshold,
-- short-abandon threshold (0 = off). The wrap-up timeout is already a site setting.
ALTER TABLE sites ADD fcr_repeat_window_hours integer NOT NULL DEFAULT 24;
ALTER TABLE sites ADD service_level_seconds integer NOT NULL DEFAULT 30;
ALTER TABLE sites ADD short_abandon_seconds integer NOT NULL DEFAULT 0;
