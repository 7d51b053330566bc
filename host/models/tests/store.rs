//! The model store on a real directory: isolation between tenants, limits, atomic writes.

use serde_json::json;
use statbox_models::{FeatureMeta, ModelMeta, ModelStore, PluginMeta, StoreError, StoreLimits};

fn meta(model_type: &str) -> ModelMeta {
    ModelMeta {
        model_id: String::new(),
        tenant: String::new(),
        created_at: String::new(),
        model_type: model_type.into(),
        task_type: "regression".into(),
        target: "price".into(),
        features: vec![FeatureMeta { name: "area".into(), kind: "numeric".into(), categories: vec![] }],
        classes: vec![],
        preprocessing: json!({"scaling": "standard"}),
        hyperparameters: json!({}),
        metrics: json!({"test": {"r2": 0.9}}),
        training_shape: [80, 1],
        data_rows: 100,
        training_time_ms: 12,
        feature_importance: json!([]),
        plugin: PluginMeta { name: "ml".into(), version: "0.1.0".into(), hash: "00".into() },
        artifact_media_type: "application/json".into(),
        artifact_bytes: 0,
    }
}

fn store(dir: &std::path::Path, limits: StoreLimits) -> ModelStore {
    ModelStore::open(dir, limits).expect("store opens")
}

#[test]
fn save_list_show_load_delete() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path(), StoreLimits::default());
    let a = s.save("alice", meta("linear"), b"{\"a\":1}").unwrap();
    let b = s.save("alice", meta("ridge"), b"{\"b\":2}").unwrap();
    assert_eq!(a.tenant, "alice");
    assert_eq!(a.artifact_bytes, 7);
    let listed: Vec<String> = s.list("alice").unwrap().into_iter().map(|m| m.model_type).collect();
    assert_eq!(listed.len(), 2);
    // Newest first: same second is possible, so only check both are present and ordered
    // by (created_at, id) descending.
    let metas = s.list("alice").unwrap();
    assert!(metas[0].created_at >= metas[1].created_at);
    let (m, bytes) = s.load("alice", &b.model_id).unwrap();
    assert_eq!(m, b);
    assert_eq!(bytes, b"{\"b\":2}");
    s.delete("alice", &a.model_id).unwrap();
    assert!(matches!(s.show("alice", &a.model_id), Err(StoreError::NotFound(_))));
    assert_eq!(s.list("alice").unwrap().len(), 1);
    // Survives reopening.
    let again = store(dir.path(), StoreLimits::default());
    assert_eq!(again.list("alice").unwrap(), vec![b]);
}

#[test]
fn tenants_cannot_see_each_others_models() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path(), StoreLimits::default());
    let m = s.save("alice", meta("linear"), b"secret").unwrap();
    assert!(s.list("bob").unwrap().is_empty());
    assert!(matches!(s.show("bob", &m.model_id), Err(StoreError::NotFound(_))));
    assert!(matches!(s.load("bob", &m.model_id), Err(StoreError::NotFound(_))));
    assert!(matches!(s.delete("bob", &m.model_id), Err(StoreError::NotFound(_))));
    assert_eq!(s.load("alice", &m.model_id).unwrap().1, b"secret");
    // A tenant id that looks like a path is only ever a hex directory name.
    assert!(s.list("../alice").unwrap().is_empty());
    s.save("../alice", meta("linear"), b"x").unwrap();
    assert_eq!(s.list("alice").unwrap().len(), 1);
}

#[test]
fn ids_from_user_text_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path(), StoreLimits::default());
    for bad in ["../../etc/passwd", "m20261123-014501-3fa9c2/../x", "", "%2e%2e"] {
        assert!(matches!(s.show("alice", bad), Err(StoreError::InvalidId(_))), "{bad}");
        assert!(matches!(s.delete("alice", bad), Err(StoreError::InvalidId(_))), "{bad}");
    }
}

#[test]
fn limits_are_enforced_with_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path(), StoreLimits { max_models_per_tenant: 2, max_model_bytes: 10 });
    s.save("alice", meta("linear"), b"1").unwrap();
    s.save("alice", meta("linear"), b"2").unwrap();
    let err = s.save("alice", meta("linear"), b"3").unwrap_err();
    assert!(err.to_string().contains("already has 2 models"), "{err}");
    // Another tenant has its own quota.
    s.save("bob", meta("linear"), b"1").unwrap();
    let err = s.save("bob", meta("linear"), &[0u8; 11]).unwrap_err();
    assert!(matches!(err, StoreError::TooLarge { .. }), "{err}");
    assert_eq!(s.list("bob").unwrap().len(), 1);
}

#[test]
fn unfinished_writes_are_swept_and_never_listed() {
    let dir = tempfile::tempdir().unwrap();
    let s = store(dir.path(), StoreLimits::default());
    let m = s.save("alice", meta("linear"), b"ok").unwrap();
    let tenant_dir = dir.path().join("tenants").join(hex_of("alice"));
    let temp = tenant_dir.join(".tmp-m20261123-014501-aaaaaa");
    std::fs::create_dir_all(&temp).unwrap();
    std::fs::write(temp.join("model.json"), b"half").unwrap();
    assert_eq!(s.list("alice").unwrap().len(), 1);
    let reopened = store(dir.path(), StoreLimits::default());
    assert!(!temp.exists());
    assert_eq!(reopened.list("alice").unwrap()[0].model_id, m.model_id);
}

fn hex_of(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}
