using ChatDesk.Server;

var builder = WebApplication.CreateBuilder(args);
builder.AddChatDesk();

var app = builder.Build();
app.UseChatDesk();
await app.InitializeChatDeskAsync();
app.Run();

public partial class Program;
