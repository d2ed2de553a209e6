//! Element order after a strategic merge (`normalizeElementOrder`,
//! `normalizeSliceOrder` in `strategicpatch/patch.go`) and Go's
//! `sort.SliceStable` (insertion sort plus `symMerge`) it relies on, so an
//! inconsistent comparator orders elements exactly as Go does.

use serde_json::Value;

use super::directives::DIRECTIVE;
use super::errors::{GO_MAP, SmpError, bad_arg_type, no_merge_key};

/// Go's `index`: the position of `item` in `list`, comparing merge-key
/// values for maps (a missing key or a non-map is Go's `nil`, equal to
/// another `nil`) and whole values otherwise.
pub(super) fn go_index(list: &[Value], item: &Value, key: &str, maps: bool) -> Option<usize> {
    let val = |v: &'_ Value| -> Option<Value> {
        if maps {
            v.as_object().and_then(|m| m.get(key)).cloned()
        } else {
            Some(v.clone())
        }
    };
    let wanted = val(item);
    list.iter().position(|v| val(v) == wanted)
}

/// Go's `normalizeSliceOrder`: maps must all carry the merge key (order
/// entries too), `$patch: delete` items go last, and the rest is sorted by
/// `sort.SliceStable` with Go's comparator, which calls any pair "less"
/// when either item is missing from `order` (so such items drift forward).
pub(super) fn normalize_slice_order(
    to_sort: Vec<Value>,
    order: &[Value],
    key: &str,
    maps: bool,
) -> Result<Vec<Value>, SmpError> {
    let (mut to_sort, mut to_delete) = (to_sort, Vec::new());
    if maps {
        for item in to_sort.iter().chain(order) {
            let Value::Object(map) = item else {
                return Err(bad_arg_type(GO_MAP, item));
            };
            if !map.contains_key(key) {
                return Err(no_merge_key(map, key));
            }
        }
        (to_delete, to_sort) = to_sort
            .into_iter()
            .partition(|v| v.get(DIRECTIVE).and_then(Value::as_str) == Some("delete"));
    }
    go_slice_stable(&mut to_sort, |a, b| {
        match (go_index(order, a, key, maps), go_index(order, b, key, maps)) {
            (Some(i), Some(j)) => i < j,
            _ => true,
        }
    });
    to_sort.extend(to_delete);
    Ok(to_sort)
}

/// Go's `normalizeElementOrder`: the patch items sorted by `patch_order`,
/// the server-only items by `server_order`, then interleaved by
/// `mergeSortedSlice`: a server-only item goes first only when both are in
/// `server_order` and it comes earlier there, so brand-new items lead.
pub(super) fn normalize_element_order(
    patch_items: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: &str,
    maps: bool,
) -> Result<Vec<Value>, SmpError> {
    let right = normalize_slice_order(patch_items, patch_order, key, maps)?;
    let left = normalize_slice_order(server_only, server_order, key, maps)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut left, mut right) = (left.into_iter().peekable(), right.into_iter().peekable());
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!(
                (go_index(server_order, l, key, maps), go_index(server_order, r, key, maps)),
                (Some(li), Some(ri)) if li < ri
            ),
        };
        out.extend(if take_left { left.next() } else { right.next() });
    }
    Ok(out)
}

/// Go's `sort.SliceStable` (`stable_func`): insertion sort on blocks of 20,
/// then `symMerge`. Reproduced step for step because Go's SMP comparators
/// are not strict orders, so the result depends on the algorithm.
pub(super) fn go_slice_stable<T>(data: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let n = data.len();
    let insertion = |data: &mut [T], a: usize, b: usize| {
        for i in a + 1..b {
            let mut j = i;
            while j > a && less(&data[j], &data[j - 1]) {
                data.swap(j, j - 1);
                j -= 1;
            }
        }
    };
    let mut block = 20;
    let (mut a, mut b) = (0, block);
    while b <= n {
        insertion(data, a, b);
        a = b;
        b += block;
    }
    insertion(data, a, n);
    while block < n {
        let (mut a, mut b) = (0, 2 * block);
        while b <= n {
            sym_merge(data, a, a + block, b, &less);
            a = b;
            b += 2 * block;
        }
        let m = a + block;
        if m < n {
            sym_merge(data, a, m, n, &less);
        }
        block *= 2;
    }
}

/// Go's `symMerge_func`: merges the sorted runs `data[a..m]` and `data[m..b]`.
pub(super) fn sym_merge<T>(
    data: &mut [T],
    a: usize,
    m: usize,
    b: usize,
    less: &impl Fn(&T, &T) -> bool,
) {
    if m - a == 1 {
        let (mut i, mut j) = (m, b);
        while i < j {
            let h = (i + j) / 2;
            if less(&data[h], &data[a]) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        for k in a..i.saturating_sub(1) {
            data.swap(k, k + 1);
        }
        return;
    }
    if b - m == 1 {
        let (mut i, mut j) = (a, m);
        while i < j {
            let h = (i + j) / 2;
            if !less(&data[m], &data[h]) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        let mut k = m;
        while k > i {
            data.swap(k, k - 1);
            k -= 1;
        }
        return;
    }
    let mid = (a + b) / 2;
    let n = mid + m;
    let (mut start, mut r) = if m > mid { (n - b, mid) } else { (a, m) };
    let p = n - 1;
    while start < r {
        let c = (start + r) / 2;
        if !less(&data[p - c], &data[c]) {
            start = c + 1;
        } else {
            r = c;
        }
    }
    let end = n - start;
    if start < m && m < end {
        data[start..end].rotate_left(m - start);
    }
    if a < start && start < mid {
        sym_merge(data, a, start, mid, less);
    }
    if mid < end && end < b {
        sym_merge(data, mid, end, b, less);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::consistent(vec![3, 1, 2], vec![1, 2, 3])]
    #[case::long_runs_merged((0..45).rev().collect(), (0..45).collect())]
    fn go_stable_sorts(#[case] mut items: Vec<i32>, #[case] expected: Vec<i32>) {
        go_slice_stable(&mut items, |a, b| a < b);
        assert_eq!(items, expected);
    }

    #[test]
    fn go_stable_with_always_less_moves_each_item_first() {
        // Go's insertion sort with a comparator that is always true reverses.
        let mut items = vec![1, 2, 3, 4];
        go_slice_stable(&mut items, |_, _| true);
        assert_eq!(items, vec![4, 3, 2, 1]);
    }
}
