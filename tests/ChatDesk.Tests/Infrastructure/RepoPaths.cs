namespace ChatDesk.Tests.Infrastructure;

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();
    public static string ServerProject => Path.Combine(Root, "server", "ChatDesk.Server");
    public static string NodeClients => Path.Combine(Root, "tests", "node");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ChatDesk.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (ChatDesk.sln).");
    }
}
