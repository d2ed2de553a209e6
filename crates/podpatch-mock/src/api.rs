//! The apimachinery API types the handlers answer with: `metav1.Status` and
//! the `api/errors` constructors (`k8s.io/apimachinery/pkg/api/errors`).

pub(crate) mod status;
