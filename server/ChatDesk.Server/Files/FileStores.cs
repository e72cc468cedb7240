using System.Data;
using ChatDesk.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ChatDesk.Server.Files;

/// <summary>Where file bytes are kept. Chosen by configuration: <c>ChatDesk:Files:Folder</c> set → a folder, else PostgreSQL.</summary>
public interface IFileStore
{
    /// <summary>Recorded on each file (<see cref="SharedFile.Storage"/>).</summary>
    string Kind { get; }

    /// <summary>Stores the bytes inside the upload's open transaction, before it commits.</summary>
    Task SaveAsync(ChatDeskDbContext db, Guid fileId, Stream content, CancellationToken cancellationToken);

    /// <summary>Undoes <see cref="SaveAsync"/> when the transaction did not commit.</summary>
    Task DiscardAsync(Guid fileId);

    /// <summary>Removes the bytes of a file whose row was deleted and committed (erasure, retention).</summary>
    Task DeleteAsync(Guid fileId);

    /// <returns>The bytes, or null when they are missing.</returns>
    Task<Stream?> OpenReadAsync(Guid fileId, CancellationToken cancellationToken);
}

/// <summary>Bytes in their own table (shared_file_contents), committed with the file's message and event.</summary>
public sealed class DatabaseFileStore(NpgsqlDataSource dataSource) : IFileStore
{
    public const string StorageKind = "database";

    public string Kind => StorageKind;

    public async Task SaveAsync(ChatDeskDbContext db, Guid fileId, Stream content, CancellationToken cancellationToken)
    {
        // Streamed as a parameter, not copied into an array first.
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand("INSERT INTO shared_file_contents (file_id, content) VALUES ($1, $2)", connection,
            (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        command.Parameters.Add(new NpgsqlParameter { Value = fileId, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = content, NpgsqlDbType = NpgsqlDbType.Bytea, Size = checked((int)content.Length) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task DiscardAsync(Guid fileId) => Task.CompletedTask; // rolled back with the transaction

    public Task DeleteAsync(Guid fileId) => Task.CompletedTask; // deleted with the file's row (cascade)

    public async Task<Stream?> OpenReadAsync(Guid fileId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var command = new NpgsqlCommand("SELECT content FROM shared_file_contents WHERE file_id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = fileId, NpgsqlDbType = NpgsqlDbType.Uuid });
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                await reader.DisposeAsync();
                await connection.DisposeAsync();
                return null;
            }
            return new OwningStream(reader.GetStream(0), reader, command, connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reads the column straight from the connection and releases it when the response is done.</summary>
    private sealed class OwningStream(Stream inner, params IAsyncDisposable[] owners) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private bool disposed;

        public override async ValueTask DisposeAsync()
        {
            if (disposed)
                return;
            disposed = true;
            await inner.DisposeAsync();
            foreach (var owner in owners)
                await owner.DisposeAsync();
            GC.SuppressFinalize(this);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                DisposeAsync().AsTask().GetAwaiter().GetResult();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// Bytes as files named by id in a folder (e.g. a mounted volume every node shares). Written under a
/// temporary name and renamed into place, so a reader never sees half a file.
/// </summary>
public sealed class FolderFileStore(string folder) : IFileStore
{
    public const string StorageKind = "folder";

    public string Kind => StorageKind;

    public string PathOf(Guid fileId) => Path.Combine(folder, $"{fileId:N}.bin");

    public async Task SaveAsync(ChatDeskDbContext db, Guid fileId, Stream content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var partial = PathOf(fileId) + ".part";
        await using (var target = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            await content.CopyToAsync(target, cancellationToken);
        File.Move(partial, PathOf(fileId));
    }

    public Task DiscardAsync(Guid fileId)
    {
        File.Delete(PathOf(fileId) + ".part");
        File.Delete(PathOf(fileId));
        return Task.CompletedTask;
    }

    public Task DeleteAsync(Guid fileId) => DiscardAsync(fileId);

    public Task<Stream?> OpenReadAsync(Guid fileId, CancellationToken cancellationToken) =>
        Task.FromResult<Stream?>(File.Exists(PathOf(fileId))
            ? new FileStream(PathOf(fileId), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan)
            : null);
}
