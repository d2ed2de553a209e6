//! The request-against-object checks of `handlers/rest.go`: `checkName`
//! (the object's name must be there and equal the URL's) and
//! `EnsureObjectNamespaceMatchesRequestNamespace`. Only the comparisons;
//! filling the namespace in is the caller's step.

use crate::api::status::Status;

/// `EnsureObjectNamespaceMatchesRequestNamespace`: an object's namespace,
/// when set, must be the request's.
pub fn namespace(object_ns: &str, request_ns: &str) -> Result<(), Status> {
    if !object_ns.is_empty() && object_ns != request_ns {
        return Err(Status::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    Ok(())
}

/// `checkName`: an object without a name is refused before the mismatch
/// test, naming the URL's name instead.
pub fn name(name: &str, url_name: &str) -> Result<(), Status> {
    if name.is_empty() {
        return Err(Status::bad_request(format!(
            "the name of the object ({url_name} based on URL) was undeterminable: name must be provided"
        )));
    }
    if name != url_name {
        return Err(Status::bad_request(format!(
            "the name of the object ({name}) does not match the name on the URL ({url_name})"
        )));
    }
    Ok(())
}
