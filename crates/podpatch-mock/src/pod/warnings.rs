//! `GetWarningsForPod` (`pkg/api/pod/warnings.go`), the warnings a pod
//! create answers with: pod-level fields, containers, volumes.

pub(crate) mod container;
pub(crate) mod ip;
pub(crate) mod pod;
pub(crate) mod volume;
