//! A minimal PostgreSQL frontend speaking the protocol byte by byte, for the things
//! drivers hide: command tags, EmptyQueryResponse, NoticeResponse, SSLRequest.

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One backend message: its type byte and body.
#[derive(Debug, Clone)]
pub struct Message {
    pub tag: u8,
    pub body: Vec<u8>,
}

impl Message {
    /// The NUL-terminated string at the start of the body (CommandComplete's tag).
    pub fn text(&self) -> String {
        let end = self.body.iter().position(|b| *b == 0).unwrap_or(self.body.len());
        String::from_utf8_lossy(&self.body[..end]).into_owned()
    }

    /// Field `code` of an ErrorResponse / NoticeResponse (`b'C'`: SQLSTATE, `b'M'`: message).
    pub fn field(&self, code: u8) -> Option<String> {
        let mut rest = &self.body[..];
        while let Some((&c, tail)) = rest.split_first() {
            if c == 0 {
                break;
            }
            let end = tail.iter().position(|b| *b == 0)?;
            if c == code {
                return Some(String::from_utf8_lossy(&tail[..end]).into_owned());
            }
            rest = &tail[end + 1..];
        }
        None
    }
}

/// A connected, authenticated raw client.
pub struct RawClient {
    stream: TcpStream,
    /// ParameterStatus pairs received at startup.
    pub parameters: Vec<(String, String)>,
}

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

impl RawClient {
    /// Connects and completes startup as `user` on `db` (trust authentication).
    pub async fn connect(addr: SocketAddr, user: &str, db: &str) -> RawClient {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let mut client = RawClient { stream, parameters: Vec::new() };
        let mut body = 196608u32.to_be_bytes().to_vec();
        cstr(&mut body, "user");
        cstr(&mut body, user);
        cstr(&mut body, "database");
        cstr(&mut body, db);
        body.push(0);
        let mut msg = ((body.len() + 4) as u32).to_be_bytes().to_vec();
        msg.extend_from_slice(&body);
        client.stream.write_all(&msg).await.expect("startup");
        loop {
            let m = client.read().await;
            match m.tag {
                b'S' => {
                    let parts: Vec<String> = m.body.split(|b| *b == 0).take(2).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
                    client.parameters.push((parts[0].clone(), parts[1].clone()));
                }
                b'Z' => break,
                b'E' => panic!("startup failed: {:?}", m.field(b'M')),
                _ => {}
            }
        }
        client
    }

    /// Sends an SSLRequest on a fresh socket and returns the one-byte answer.
    pub async fn ssl_answer(addr: SocketAddr) -> u8 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let mut msg = 8u32.to_be_bytes().to_vec();
        msg.extend_from_slice(&80877103u32.to_be_bytes());
        s.write_all(&msg).await.expect("ssl request");
        let mut b = [0u8; 1];
        s.read_exact(&mut b).await.expect("ssl answer");
        b[0]
    }

    /// Reads one backend message.
    pub async fn read(&mut self) -> Message {
        let tag = self.stream.read_u8().await.expect("message type");
        let len = self.stream.read_u32().await.expect("message length") as usize;
        let mut body = vec![0u8; len - 4];
        self.stream.read_exact(&mut body).await.expect("message body");
        Message { tag, body }
    }

    /// Sends a simple Query and returns every message up to and including ReadyForQuery.
    pub async fn simple(&mut self, sql: &str) -> Vec<Message> {
        let mut body = Vec::new();
        cstr(&mut body, sql);
        let mut msg = vec![b'Q'];
        msg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        msg.extend_from_slice(&body);
        self.stream.write_all(&msg).await.expect("query");
        let mut out = Vec::new();
        loop {
            let m = self.read().await;
            let done = m.tag == b'Z';
            out.push(m);
            if done {
                return out;
            }
        }
    }

    /// Sends one frontend message of type `tag` with `body`.
    pub async fn send(&mut self, tag: u8, body: &[u8]) {
        let mut msg = vec![tag];
        msg.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
        msg.extend_from_slice(body);
        self.stream.write_all(&msg).await.expect("send");
    }

    /// Parse (unnamed statement, no parameter types) of `sql`.
    pub async fn parse(&mut self, sql: &str) {
        self.parse_named("", sql).await;
    }

    /// Parse of `sql` as statement `name` (no parameter types).
    pub async fn parse_named(&mut self, name: &str, sql: &str) {
        let mut body = Vec::new();
        cstr(&mut body, name);
        cstr(&mut body, sql);
        body.extend_from_slice(&0u16.to_be_bytes());
        self.send(b'P', &body).await;
    }

    /// Bind of the unnamed statement to the unnamed portal with text parameters.
    pub async fn bind(&mut self, params: &[&str]) {
        self.bind_named("", "", params).await;
    }

    /// Bind of statement `stmt` to portal `portal` with text parameters and text results.
    pub async fn bind_named(&mut self, portal: &str, stmt: &str, params: &[&str]) {
        let mut body = Vec::new();
        cstr(&mut body, portal);
        cstr(&mut body, stmt);
        body.extend_from_slice(&0u16.to_be_bytes());
        body.extend_from_slice(&(params.len() as u16).to_be_bytes());
        for p in params {
            body.extend_from_slice(&(p.len() as i32).to_be_bytes());
            body.extend_from_slice(p.as_bytes());
        }
        body.extend_from_slice(&0u16.to_be_bytes());
        self.send(b'B', &body).await;
    }

    /// Execute of the unnamed portal without a row limit.
    pub async fn execute(&mut self) {
        self.execute_named("", 0).await;
    }

    /// Execute of portal `portal`, at most `max_rows` rows (0: all).
    pub async fn execute_named(&mut self, portal: &str, max_rows: u32) {
        let mut body = Vec::new();
        cstr(&mut body, portal);
        body.extend_from_slice(&max_rows.to_be_bytes());
        self.send(b'E', &body).await;
    }

    /// Sync, then every message up to and including ReadyForQuery.
    pub async fn sync(&mut self) -> Vec<Message> {
        self.send(b'S', &[]).await;
        self.read_until(b'Z', 10).await
    }

    /// Reads messages until one of type `tag` (included), failing after `secs` seconds.
    pub async fn read_until(&mut self, tag: u8, secs: u64) -> Vec<Message> {
        let mut out = Vec::new();
        let deadline = std::time::Duration::from_secs(secs);
        tokio::time::timeout(deadline, async {
            loop {
                let m = self.read().await;
                let done = m.tag == tag;
                out.push(m);
                if done {
                    break;
                }
            }
        })
        .await
        .unwrap_or_else(|_| {
            panic!("no message {:?} within {secs}s; got {:?}", tag as char, out.iter().map(|m| m.tag as char).collect::<Vec<_>>())
        });
        out
    }

    /// The CommandComplete tags of a simple query, in order.
    pub async fn tags(&mut self, sql: &str) -> Vec<String> {
        self.simple(sql).await.iter().filter(|m| m.tag == b'C').map(|m| m.text()).collect()
    }
}
