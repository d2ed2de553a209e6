//! podpatch library
