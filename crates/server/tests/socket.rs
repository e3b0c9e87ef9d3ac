//! The server on a real loopback socket: it answers HTTP/1.1 and stops when asked.

mod common;

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[tokio::test]
async fn serves_on_a_socket_and_stops_gracefully() {
    let s = common::server();
    let run = common::run_at(0, &[("parse", 1.0)]);
    s.store.put_run(&run).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(benchgate_server::serve(
        listener,
        std::sync::Arc::clone(&s.store),
        benchgate_server::ReadAccess::Public,
        std::sync::Arc::new(benchgate_server::LoadedConfig::default()),
        async {
            let _ = stopped.await;
        },
    ));

    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /api/v1/runs?limit=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    let body = response.split_once("\r\n\r\n").unwrap().1;
    let list: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(list[0]["id"], run.id.to_string());

    stop.send(()).unwrap();
    // Bounded: a server that does not stop fails the test instead of hanging it.
    let result = tokio::time::timeout(Duration::from_secs(30), server)
        .await
        .expect("the server stops once asked");
    result.unwrap().unwrap();
    assert!(TcpStream::connect(addr).await.is_err());
}
