using ChatDesk.Server.Data;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatDesk.Tests.Data;

public sealed class SchemaTests
{
    [Fact]
    public async Task Migrated_schema_has_exactly_the_tables_columns_types_and_indexes_of_the_EF_model()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var db = new ChatDeskDbContext(new DbContextOptionsBuilder<ChatDeskDbContext>().UseNpgsql(connectionString).Options);
        var model = db.GetService<IDesignTimeModel>().Model;

        var expectedColumns = new SortedSet<string>(StringComparer.Ordinal);
        var expectedIndexes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var entity in model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            foreach (var property in entity.GetProperties())
                expectedColumns.Add($"{table.Name}.{property.GetColumnName(table)} {property.GetColumnType()} {(property.IsColumnNullable(table) ? "null" : "not null")}");
            foreach (var index in entity.GetIndexes())
                expectedIndexes.Add($"{table.Name}.{index.GetDatabaseName(table)}{(index.IsUnique ? " unique" : "")}");
        }

        var actualColumns = await QueryAsync(connectionString, """
            SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || CASE WHEN a.attnotnull THEN 'not null' ELSE 'null' END
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'schema_migrations'
            """);
        var actualIndexes = await QueryAsync(connectionString, """
            SELECT t.relname || '.' || i.relname || CASE WHEN x.indisunique THEN ' unique' ELSE '' END
            FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = 'public' AND NOT x.indisprimary AND t.relname <> 'schema_migrations'
            """);

        // On a mismatch, db.Database.GenerateCreateScript() shows the SQL the model expects.
        // First only the differences (missing from the database, then extra), which the whole sets' message cuts off.
        Assert.Equal(expectedColumns.Except(actualColumns).ToList(), actualColumns.Except(expectedColumns).ToList());
        Assert.Equal(expectedIndexes.Except(actualIndexes).ToList(), actualIndexes.Except(expectedIndexes).ToList());
        Assert.Equal(expectedColumns, new SortedSet<string>(actualColumns, StringComparer.Ordinal));
        Assert.Equal(expectedIndexes, new SortedSet<string>(actualIndexes, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Servers_migrating_the_same_database_at_once_apply_each_script_exactly_once()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync(migrated: false);
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            return await new MigrationRunner(dataSource, TimeProvider.System, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        }));

        var scripts = MigrationRunner.LoadScripts().Select(s => s.Version).ToList();
        Assert.NotEmpty(scripts);
        Assert.Equal(scripts, runs.SelectMany(r => r).Order(StringComparer.Ordinal));
        Assert.Equal(scripts, await QueryAsync(connectionString, "SELECT version FROM schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task The_event_log_refuses_updates_and_deletes()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync();
        await QueryAsync(connectionString, "INSERT INTO events (type, occurred_at, data) VALUES ('operator.status_changed', now(), '{}') RETURNING id::text");
        var update = await Assert.ThrowsAsync<PostgresException>(() => QueryAsync(connectionString, "UPDATE events SET type = 'x' RETURNING id::text"));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => QueryAsync(connectionString, "DELETE FROM events RETURNING id::text"));
        Assert.Contains("append-only", update.MessageText);
        Assert.Contains("append-only", delete.MessageText);
        Assert.Equal(["operator.status_changed"], await QueryAsync(connectionString, "SELECT type FROM events"));
    }

    private static async Task<List<string>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
            rows.Add(reader.GetString(0));
        return rows;
    }
}
