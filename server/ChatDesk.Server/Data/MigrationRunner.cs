using System.Reflection;
using Npgsql;

namespace ChatDesk.Server.Data;

/// <summary>
/// Applies the versioned SQL scripts embedded under Data/Migrations, in name order, once each.
/// Everything runs in one transaction under a transaction-scoped advisory lock, so servers that
/// start together migrate once and a failed script leaves the schema untouched.
/// </summary>
public sealed class MigrationRunner(NpgsqlDataSource dataSource, TimeProvider clock, ILogger<MigrationRunner> logger)
{
    private const long AdvisoryLockKey = 0x43_68_61_74_44_65_73_6B; // "ChatDesk"

    public static IReadOnlyList<(string Version, string Sql)> LoadScripts()
    {
        var assembly = typeof(MigrationRunner).Assembly;
        const string prefix = "ChatDesk.Server.Data.Migrations.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[prefix.Length..^4], Read(assembly, n)))
            .ToList();
    }

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", cancellationToken);
        await Execute(connection, transaction,
            "CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL)",
            cancellationToken);

        var applied = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                applied.Add(reader.GetString(0));
        }

        var newlyApplied = new List<string>();
        foreach (var (version, sql) in LoadScripts().Where(s => !applied.Contains(s.Version)))
        {
            logger.LogInformation("Applying migration {Version}", version);
            await Execute(connection, transaction, sql, cancellationToken);
            await using var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", connection, transaction);
            record.Parameters.AddWithValue(version);
            record.Parameters.AddWithValue(clock.UtcNowForStorage());
            await record.ExecuteNonQueryAsync(cancellationToken);
            newlyApplied.Add(version);
        }

        await transaction.CommitAsync(cancellationToken);
        return newlyApplied;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        // No time limit: a migration that rewrites or indexes a large table must finish, however long it takes.
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
