using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace ChatDesk.Server.Data;

public static class DataSetup
{
    public const string ConnectionStringName = "ChatDesk";

    public static IServiceCollection AddChatDeskData(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                $"No database configured: set ConnectionStrings__{ConnectionStringName} (or ConnectionStrings:{ConnectionStringName} in appsettings) to a PostgreSQL connection string.");

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddDbContext<ChatDeskDbContext>((provider, options) =>
            options.UseNpgsql(provider.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<DatabaseRetry>();
        return services;
    }

    /// <summary>Runs the migrations, seeds and loads shared secrets; the app does not serve before this.</summary>
    public static async Task InitializeChatDeskDataAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);

        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDeskDbContext>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // Nodes starting together seed one after the other.
            await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('chatdesk.seed'))", cancellationToken);
            await scope.ServiceProvider.GetRequiredService<Identity.IdentitySeeder>().SeedAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await scope.ServiceProvider.GetRequiredService<Identity.VisitorTokenService>().LoadKeyAsync(db, cancellationToken);
    }
}
