// Drives official @microsoft/signalr connections for the .NET integration tests (the .NET client
// is not available here). Reads one JSON command per line on stdin, writes one JSON line per reply
// or received event on stdout.
//   {"id":1,"op":"connect","conn":"v1","url":"http://127.0.0.1:5000/hubs/visitor","token":"…","cookie":"…","headers":{…},"events":["MessageReceived"],"retryMs":[0,200,500]}
//   {"id":2,"op":"invoke","conn":"v1","method":"SendMessage","args":[{…}]}
//   {"id":3,"op":"stop","conn":"v1"}
// Replies: {"id":1,"ok":true,"result":…} or {"id":1,"ok":false,"error":"…"}
// Events:  {"conn":"v1","event":"MessageReceived","args":[…]}, and "$reconnecting", "$reconnected", "$closed".
import { createInterface } from "node:readline";
import * as signalR from "@microsoft/signalr";

const connections = new Map();
const write = (message) => process.stdout.write(JSON.stringify(message) + "\n");

async function connect({ conn, url, token, cookie, headers, events = [], retryMs }) {
  const options = { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: false };
  if (token) options.accessTokenFactory = () => token;
  options.headers = { ...(headers ?? {}), ...(cookie ? { Cookie: cookie } : {}) };
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(url, options)
    .withAutomaticReconnect(retryMs ?? [0, 250, 500, 1000, 1000, 1000, 2000, 2000, 5000])
    .configureLogging(signalR.LogLevel.None)
    .build();
  for (const name of events) connection.on(name, (...args) => write({ conn, event: name, args }));
  connection.onreconnecting(() => write({ conn, event: "$reconnecting", args: [] }));
  connection.onreconnected(() => write({ conn, event: "$reconnected", args: [] }));
  connection.onclose(() => write({ conn, event: "$closed", args: [] }));
  await connection.start();
  connections.set(conn, connection);
}

async function handle(command) {
  switch (command.op) {
    case "connect":
      await connect(command);
      return null;
    case "invoke": {
      const connection = connections.get(command.conn);
      if (!connection) throw new Error(`No connection '${command.conn}'.`);
      const result = await connection.invoke(command.method, ...(command.args ?? []));
      return result ?? null;
    }
    case "stop":
      await connections.get(command.conn)?.stop();
      connections.delete(command.conn);
      return null;
    default:
      throw new Error(`Unknown op '${command.op}'.`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  handle(command).then(
    (result) => write({ id: command.id, ok: true, result }),
    (error) => write({ id: command.id, ok: false, error: String(error?.message ?? error) }),
  );
});
lines.on("close", async () => {
  await Promise.allSettled([...connections.values()].map((c) => c.stop()));
  process.exit(0);
});
