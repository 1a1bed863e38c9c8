//! The few messages of PostgreSQL's frontend/backend protocol (version 3.0) that talking to
//! PgBouncer's admin console takes: a StartupMessage, simple Query and Terminate out;
//! authentication, ParameterStatus, RowDescription, DataRow, CommandComplete,
//! ErrorResponse and ReadyForQuery in. Pure: bytes in, bytes out; the socket is
//! [`super::admin`]'s.
//!
//! Written by hand because the byte layout is the protocol's (PostgreSQL's docs, "Message
//! Formats"), the console needs no authentication exchange (see [`super::admin`]) and a
//! client library would bring TLS, SCRAM and an async runtime into every pod's sidecar.

/// Protocol version 3.0, as the StartupMessage carries it.
const PROTOCOL_3_0: u32 = 196_608;

/// The largest message accepted from the server: the console's answers are small, and a
/// length beyond this means the stream is not PostgreSQL's protocol.
pub const MAX_MESSAGE: usize = 1 << 20;

/// A StartupMessage for `user` on `database`.
pub fn startup_message(user: &str, database: &str) -> Vec<u8> {
    let mut body = PROTOCOL_3_0.to_be_bytes().to_vec();
    for (key, value) in [("user", user), ("database", database)] {
        body.extend_from_slice(key.as_bytes());
        body.push(0);
        body.extend_from_slice(value.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut message = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    message.extend(body);
    message
}

/// A simple Query message. `sql` must not contain a NUL byte (the caller's text is fixed).
pub fn query_message(sql: &str) -> Vec<u8> {
    debug_assert!(!sql.contains('\0'));
    tagged(b'Q', &[sql.as_bytes(), b"\0"].concat())
}

/// A Terminate message.
pub fn terminate_message() -> Vec<u8> {
    tagged(b'X', &[])
}

fn tagged(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut message = vec![tag];
    message.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    message.extend_from_slice(body);
    message
}

/// One message from the server: its type byte and its body (without the length).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The type byte, e.g. `b'Z'` for ReadyForQuery.
    pub tag: u8,
    /// The body after the length field.
    pub body: Vec<u8>,
}

/// Why bytes from the server are not a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The first complete message in `buffer` and how many bytes it took; `None` while more
/// bytes are needed.
pub fn next_message(buffer: &[u8]) -> Result<Option<(Message, usize)>, ProtocolError> {
    if buffer.len() < 5 {
        return Ok(None);
    }
    let length = u32::from_be_bytes([buffer[1], buffer[2], buffer[3], buffer[4]]) as usize;
    if !(4..=MAX_MESSAGE).contains(&length) {
        return Err(ProtocolError(format!(
            "a message of type {:?} claims {length} bytes: not PostgreSQL's protocol",
            char::from(buffer[0])
        )));
    }
    if buffer.len() < 1 + length {
        return Ok(None);
    }
    Ok(Some((
        Message {
            tag: buffer[0],
            body: buffer[5..1 + length].to_vec(),
        },
        1 + length,
    )))
}

/// The fields of an ErrorResponse (or NoticeResponse) that a message needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorFields {
    /// `S`: ERROR, FATAL, ...
    pub severity: String,
    /// `C`: the SQLSTATE.
    pub code: String,
    /// `M`: the primary message.
    pub message: String,
}

/// Reads an ErrorResponse body: one-byte field codes, each followed by a NUL-terminated
/// string, ended by a zero byte.
pub fn error_fields(body: &[u8]) -> ErrorFields {
    let mut fields = ErrorFields::default();
    let mut rest = body;
    while let [code, tail @ ..] = rest {
        if *code == 0 {
            break;
        }
        let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
        let text = String::from_utf8_lossy(&tail[..end]).into_owned();
        match code {
            b'S' => fields.severity = text,
            b'C' => fields.code = text,
            b'M' => fields.message = text,
            _ => {}
        }
        rest = tail.get(end + 1..).unwrap_or_default();
    }
    fields
}

/// The tag of a CommandComplete body (e.g. `RELOAD`).
pub fn command_tag(body: &[u8]) -> String {
    let end = body.iter().position(|&b| b == 0).unwrap_or(body.len());
    String::from_utf8_lossy(&body[..end]).into_owned()
}

/// The column names of a RowDescription body.
pub fn row_description(body: &[u8]) -> Result<Vec<String>, ProtocolError> {
    let bad = || ProtocolError("a RowDescription is cut short".to_string());
    let count = u16::from_be_bytes([
        *body.first().ok_or_else(bad)?,
        *body.get(1).ok_or_else(bad)?,
    ]);
    let mut rest = &body[2..];
    let mut names = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let end = rest.iter().position(|&b| b == 0).ok_or_else(bad)?;
        names.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        // Table OID (4), column number (2), type OID (4), size (2), modifier (4), format (2).
        rest = rest.get(end + 1 + 18..).ok_or_else(bad)?;
    }
    Ok(names)
}

/// The values of a DataRow body (text format); `None` for SQL NULL.
pub fn data_row(body: &[u8]) -> Result<Vec<Option<String>>, ProtocolError> {
    let bad = || ProtocolError("a DataRow is cut short".to_string());
    let count = u16::from_be_bytes([
        *body.first().ok_or_else(bad)?,
        *body.get(1).ok_or_else(bad)?,
    ]);
    let mut rest = &body[2..];
    let mut values = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let length = rest.get(..4).ok_or_else(bad)?;
        let length = i32::from_be_bytes([length[0], length[1], length[2], length[3]]);
        rest = &rest[4..];
        if length < 0 {
            values.push(None);
            continue;
        }
        let value = rest.get(..length as usize).ok_or_else(bad)?;
        values.push(Some(String::from_utf8_lossy(value).into_owned()));
        rest = &rest[length as usize..];
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn startup_and_query_messages_have_the_protocols_layout() {
        let startup = startup_message("pgbouncer", "pgbouncer");
        assert_eq!(&startup[..4], &(startup.len() as u32).to_be_bytes());
        assert_eq!(&startup[4..8], &[0, 3, 0, 0]);
        assert_eq!(&startup[8..], b"user\0pgbouncer\0database\0pgbouncer\0\0");
        assert_eq!(query_message("RELOAD"), b"Q\0\0\0\x0bRELOAD\0");
        assert_eq!(terminate_message(), b"X\0\0\0\x04");
    }

    #[test]
    fn messages_are_split_only_when_complete() {
        let stream = [b"Z\0\0\0\x05I".as_slice(), b"C\0\0\0\x0bRELOAD\0"].concat();
        for cut in 0..6 {
            assert_eq!(next_message(&stream[..cut]), Ok(None), "{cut}");
        }
        let (first, used) = next_message(&stream).unwrap().unwrap();
        assert_eq!(
            (first.tag, first.body.as_slice(), used),
            (b'Z', b"I".as_slice(), 6)
        );
        let (second, _) = next_message(&stream[used..]).unwrap().unwrap();
        assert_eq!(command_tag(&second.body), "RELOAD");
        assert!(next_message(b"E\xff\xff\xff\xff").is_err());
        assert!(next_message(b"E\0\0\0\x03").is_err());
    }

    #[test]
    fn error_rows_and_columns_are_read() {
        let error = b"SERROR\0C08P01\0Mnot allowed\0\0";
        assert_eq!(
            error_fields(error),
            ErrorFields {
                severity: "ERROR".into(),
                code: "08P01".into(),
                message: "not allowed".into()
            }
        );
        // A truncated body still gives what it has.
        assert_eq!(error_fields(b"Mcut").message, "cut");
        let mut description = vec![0, 2];
        for name in ["name", "pool_size"] {
            description.extend_from_slice(name.as_bytes());
            description.push(0);
            description.extend_from_slice(&[0; 18]);
        }
        assert_eq!(
            row_description(&description).unwrap(),
            ["name", "pool_size"]
        );
        assert!(row_description(&description[..description.len() - 1]).is_err());
        let row = [
            &[0u8, 2][..],
            &[0, 0, 0, 5],
            b"alice",
            &[0xff, 0xff, 0xff, 0xff],
        ]
        .concat();
        assert_eq!(data_row(&row).unwrap(), [Some("alice".to_string()), None]);
        assert!(data_row(&row[..8]).is_err());
    }
}
