//! One error type for every handler, turned into a JSON response that hides internals.

use serde::Serialize;
use tacit_aggregate::codec::CodecError;
use tacit_aggregate::settings::SettingsError;
use tacit_aggregate::DayError;
use tacit_beacon::{BeaconError, SiteIdError};
use tacit_report::NotShown;
use worker::{console_error, Response};

/// Every error answer: `{"error": "<what to fix>"}`.
#[derive(Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = Error))]
pub struct ErrorBody<'a> {
    /// What is wrong, for a person to read.
    pub error: &'a str,
}

/// What went wrong while answering a request.
#[derive(Debug)]
pub enum AppError {
    /// The request is malformed; the message tells the client what to fix.
    BadRequest(String),
    /// No token, or a token that does not grant access.
    Unauthorized,
    /// The request is understood but not allowed (a beacon from a page the site does not list).
    Forbidden(String),
    /// The site (or route) does not exist.
    NotFound(String),
    /// The route does not answer the request's method; it answers these (the `Allow` header).
    MethodNotAllowed(String),
    /// The site already exists.
    Conflict(String),
    /// Too many beacons from one visitor or for one site; retry after this many seconds.
    TooManyRequests(u32),
    /// The body is larger than the route accepts.
    PayloadTooLarge(String),
    /// A fault on our side. Logged with its cause; the client sees a generic message.
    Internal(String),
    /// Part of the site's records could not be read (one of its shards failed), so no figure
    /// is given rather than a partial one. Logged with its cause; the client sees a generic
    /// message.
    Unavailable(String),
}

impl AppError {
    fn status_and_message(&self) -> (u16, &str) {
        match self {
            AppError::BadRequest(message) => (400, message),
            AppError::Unauthorized => (401, "a valid token is required"),
            AppError::Forbidden(message) => (403, message),
            AppError::NotFound(message) => (404, message),
            AppError::MethodNotAllowed(_) => {
                (405, "this route does not answer that method; Allow lists those it does")
            }
            AppError::Conflict(message) => (409, message),
            AppError::PayloadTooLarge(message) => (413, message),
            AppError::TooManyRequests(_) => (429, "too many beacons; retry later"),
            AppError::Internal(_) => (500, "internal error"),
            AppError::Unavailable(_) => (
                503,
                "part of the site's data cannot be read right now, so no partial figures are shown; retry later",
            ),
        }
    }

    /// The response for this error: `{"error": "..."}` with the matching status.
    pub fn into_response(self) -> worker::Result<Response> {
        match &self {
            AppError::Internal(cause) => console_error!("internal error: {cause}"),
            AppError::Unavailable(cause) => console_error!("unavailable: {cause}"),
            _ => {}
        }
        let (status, message) = self.status_and_message();
        let mut response = Response::from_json(&ErrorBody { error: message })?.with_status(status);
        if status == 401 {
            response.headers_mut().set("WWW-Authenticate", "Bearer")?;
        }
        match &self {
            AppError::TooManyRequests(seconds) => {
                response.headers_mut().set("Retry-After", &seconds.to_string())?;
            }
            AppError::MethodNotAllowed(allowed) => response.headers_mut().set("Allow", allowed)?,
            _ => {}
        }
        Ok(response)
    }

    /// The status and message a Durable Object's answer carries back to the worker, with its
    /// `Retry-After` seconds for a 429.
    pub fn from_status(status: u16, message: String, retry_after: Option<u32>) -> AppError {
        match status {
            429 => AppError::TooManyRequests(retry_after.unwrap_or(60)),
            400 => AppError::BadRequest(message),
            401 => AppError::Unauthorized,
            403 => AppError::Forbidden(message),
            404 => AppError::NotFound(message),
            409 => AppError::Conflict(message),
            413 => AppError::PayloadTooLarge(message),
            _ => AppError::Internal(format!("status {status}: {message}")),
        }
    }
}

impl From<NotShown> for AppError {
    fn from(error: NotShown) -> AppError {
        AppError::NotFound(error.to_string())
    }
}

impl From<worker::Error> for AppError {
    fn from(error: worker::Error) -> AppError {
        AppError::Internal(error.to_string())
    }
}

/// A record that does not decode: stored or sent corrupted, or by another build.
impl From<CodecError> for AppError {
    fn from(error: CodecError) -> AppError {
        AppError::Internal(format!("a record does not decode: {error}"))
    }
}

impl From<serde_json::Error> for AppError {
    fn from(error: serde_json::Error) -> AppError {
        AppError::Internal(error.to_string())
    }
}

impl From<BeaconError> for AppError {
    fn from(error: BeaconError) -> AppError {
        match error {
            BeaconError::TooLarge { .. } => AppError::PayloadTooLarge(error.to_string()),
            BeaconError::UnknownSite(_) => AppError::NotFound(error.to_string()),
            BeaconError::Malformed(_)
            | BeaconError::MissingField(_)
            | BeaconError::InvalidField { .. } => AppError::BadRequest(error.to_string()),
        }
    }
}

impl From<SiteIdError> for AppError {
    fn from(error: SiteIdError) -> AppError {
        AppError::BadRequest(error.to_string())
    }
}

impl From<SettingsError> for AppError {
    fn from(error: SettingsError) -> AppError {
        AppError::BadRequest(error.to_string())
    }
}

impl From<DayError> for AppError {
    fn from(error: DayError) -> AppError {
        AppError::BadRequest(error.to_string())
    }
}

/// What handlers return.
pub type AppResult<T> = Result<T, AppError>;
