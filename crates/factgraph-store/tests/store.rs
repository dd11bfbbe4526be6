//! Store behaviour through its public API on real sled directories: persistence,
//! atomicity, idempotence, defensive opening, export/import, integrity checks.

use std::fs;
use std::path::Path;

use factgraph_store::*;

fn open(path: &Path) -> Store {
    Store::open(path, &OpenOptions::default()).expect("open store")
}

/// A small graph: two documents, three entities, an accusation reported by an agency.
fn seed(store: &Store) -> (EntityId, EntityId, StatementId) {
    let mut tx = store.transaction().unwrap();
    let sky = tx
        .create_document("sky", Properties::from([("outlet".into(), Value::from("Sky News"))]), Some(
            "Tehran prosecutor Ali Alqasimehr said they face \"murder and terrorism charges\", the state-run IRNA news agency reported."
                .into(),
        ))
        .unwrap();
    let ap = tx.create_document("ap", Properties::new(), None).unwrap();
    let prosecutor = tx.create_entity("Ali Alqasimehr", "Person").unwrap();
    tx.add_alias(prosecutor, "Qasi Mehr", Some(ap)).unwrap();
    let trump = tx.create_entity("Donald Trump", "Person").unwrap();
    tx.add_alias(trump, "Trump", Some(sky)).unwrap();
    let irna = tx.create_entity("IRNA", "Organization").unwrap();
    let accused = tx
        .add_statement(
            NewStatement::new(
                prosecutor,
                "accused",
                trump,
                Evidence::new(sky, "they face \"murder and terrorism charges\"").by(prosecutor),
            )
            .qualifier("charge", "murder and terrorism"),
        )
        .unwrap()
        .id();
    tx.add_statement(NewStatement::new(
        accused,
        "reported-by",
        irna,
        Evidence::new(sky, "the state-run IRNA news agency reported"),
    ))
    .unwrap();
    tx.commit().unwrap();
    (prosecutor, trump, accused)
}

fn export(store: &Store) -> String {
    let mut out = Vec::new();
    export_jsonl(store, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn data_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let before;
    {
        let store = open(&path);
        seed(&store);
        before = export(&store);
    }
    let store = open(&path);
    assert_eq!(export(&store), before);
    assert_eq!(store.counts().unwrap(), Counts { entities: 5, statements: 2, evidence: 2 });
    let ids = store.lookup("qasi  MEHR").unwrap();
    assert_eq!(store.entity(ids[0]).unwrap().unwrap().name, "Ali Alqasimehr");
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn evidence_gets_offsets_and_attribution() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, _, accused) = seed(&store);
    let st = store.statement(accused).unwrap().unwrap();
    let ev = &st.evidence[0];
    assert_eq!(ev.attribution, Some(prosecutor));
    let text = store.document_text(ev.document).unwrap().unwrap();
    assert_eq!(quote::excerpt(&text, ev.span.unwrap()), ev.quote);
}

#[test]
fn a_failed_batch_leaves_the_store_exactly_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let store = open(&path);
    let (prosecutor, trump, _) = seed(&store);
    let before = export(&store);
    {
        let mut tx = store.transaction().unwrap();
        let doc = tx.create_document("note", Properties::new(), None).unwrap();
        tx.create_entity("Someone New", "Person").unwrap();
        tx.add_statement(NewStatement::new(trump, "denied", prosecutor, Evidence::new(doc, "denied it"))).unwrap();
        // The last item is invalid: a statement without evidence.
        let mut bad = NewStatement::new(trump, "met", prosecutor, Evidence::new(doc, "x"));
        bad.evidence.clear();
        assert!(matches!(tx.add_statement(bad), Err(StoreError::NoEvidence)));
        // The caller gives up on the batch: dropping it writes nothing.
    }
    assert_eq!(export(&store), before);
    drop(store);
    assert_eq!(export(&open(&path)), before);
}

#[test]
fn loading_the_same_data_twice_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, trump, accused) = seed(&store);
    let counts = store.counts().unwrap();
    let sky = store.lookup("sky").unwrap()[0];
    let mut tx = store.transaction().unwrap();
    let again = tx
        .add_statement(
            NewStatement::new(
                prosecutor,
                "accused",
                trump,
                Evidence::new(sky, "they face \"murder and terrorism charges\"").by(prosecutor),
            )
            .qualifier("charge", "murder and terrorism"),
        )
        .unwrap();
    assert_eq!(again, Added::Merged { id: accused, new_evidence: 0 });
    tx.commit().unwrap();
    assert_eq!(store.counts().unwrap(), counts);
}

#[test]
fn the_same_claim_from_another_document_merges_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, trump, accused) = seed(&store);
    let ap = store.lookup("ap").unwrap()[0];
    let mut tx = store.transaction().unwrap();
    let added = tx
        .add_statement(
            NewStatement::new(prosecutor, "accused", trump, Evidence::new(ap, "charged with murder and terrorism"))
                .qualifier("charge", "murder and terrorism"),
        )
        .unwrap();
    assert_eq!(added, Added::Merged { id: accused, new_evidence: 1 });
    // Different qualifiers make a different statement: a disagreement, kept.
    let other = tx
        .add_statement(
            NewStatement::new(prosecutor, "accused", trump, Evidence::new(ap, "murder and terrorist acts"))
                .qualifier("charge", "murder and terrorist acts"),
        )
        .unwrap();
    assert!(matches!(other, Added::Created(_)));
    tx.commit().unwrap();
    assert_eq!(store.statement(accused).unwrap().unwrap().evidence.len(), 2);
    assert_eq!(store.statements_citing(ap).unwrap().len(), 2);
    assert!(store.check().unwrap().is_ok());
}

/// A distinct statement merges into an identical one committed before its
/// transaction (the caller vouches only for the transaction's own), and statements
/// made in the transaction about its new entities still merge with each other when
/// added by content.
#[test]
fn a_distinct_statement_merges_only_into_what_was_committed_before() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, trump, accused) = seed(&store);
    let ap = store.lookup("ap").unwrap()[0];
    let mut tx = store.transaction().unwrap();
    let added = tx
        .add_distinct_statement(
            NewStatement::new(prosecutor, "accused", trump, Evidence::new(ap, "charged with murder and terrorism"))
                .qualifier("charge", "murder and terrorism"),
        )
        .unwrap();
    assert_eq!(added, Added::Merged { id: accused, new_evidence: 1 });
    let hamid = tx.create_entity("Hamid", "Person").unwrap();
    let first =
        tx.add_distinct_statement(NewStatement::new(hamid, "met", trump, Evidence::new(ap, "they met"))).unwrap();
    assert!(matches!(first, Added::Created(_)));
    // Nothing was kept to find the distinct statement by: a second by content is new,
    // as the method's contract says.
    let second = tx.add_statement(NewStatement::new(hamid, "met", trump, Evidence::new(ap, "they met"))).unwrap();
    assert!(matches!(second, Added::Created(id) if id != first.id()));
    // A new entity's statements added by content find each other.
    let third = tx.add_statement(NewStatement::new(hamid, "met", trump, Evidence::new(ap, "met again"))).unwrap();
    assert_eq!(third, Added::Merged { id: second.id(), new_evidence: 1 });
    tx.commit().unwrap();
    assert_eq!(store.statement(accused).unwrap().unwrap().evidence.len(), 2);
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn statements_about_statements_and_cascading_retraction() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (_, _, accused) = seed(&store);
    let about = store.statements_about(accused).unwrap();
    assert_eq!(about.len(), 1);
    let reported = store.statement(about[0]).unwrap().unwrap();
    assert_eq!(reported.subject, Node::Statement(accused));
    assert_eq!(reported.relation, "reported-by");
    let mut tx = store.transaction().unwrap();
    assert_eq!(tx.retract(accused).unwrap(), 2);
    tx.commit().unwrap();
    assert_eq!(store.counts().unwrap().statements, 0);
    assert!(store.statements_with_relation("reported-by").unwrap().is_empty());
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn referenced_entities_cannot_be_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (_, trump, _) = seed(&store);
    let mut tx = store.transaction().unwrap();
    assert!(matches!(tx.delete_entity(trump), Err(StoreError::InUseEntity(_))));
    let lonely = tx.create_entity("Lonely", "Concept").unwrap();
    tx.commit().unwrap();
    let mut tx = store.transaction().unwrap();
    tx.delete_entity(lonely).unwrap();
    tx.commit().unwrap();
    assert!(store.lookup("lonely").unwrap().is_empty());
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn evidence_must_cite_a_document() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, trump, _) = seed(&store);
    let mut tx = store.transaction().unwrap();
    let err = tx.add_statement(NewStatement::new(trump, "met", prosecutor, Evidence::new(trump, "x"))).unwrap_err();
    assert!(matches!(err, StoreError::NotADocument { .. }), "{err}");
    assert!(err.to_string().contains("is a Person"));
}

#[test]
fn invalid_names_kinds_and_relations_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let mut tx = store.transaction().unwrap();
    assert!(tx.create_entity("  --  ", "Person").is_err());
    assert!(tx.create_entity("Ok", "not a kind").is_err());
    assert!(tx.create_entity(&"x".repeat(MAX_TEXT_LEN + 1), "Person").is_err());
    let a = tx.create_entity("A", "Person").unwrap();
    let d = tx.create_document("d", Properties::new(), None).unwrap();
    assert!(tx.add_statement(NewStatement::new(a, "two words", a, Evidence::new(d, "q"))).is_err());
    assert!(tx.add_statement(NewStatement::new(a, "rel", Value::Float(f64::NAN), Evidence::new(d, "q"))).is_err());
    assert!(tx.add_statement(NewStatement::new(a, "rel", a, Evidence::new(d, "   "))).is_err());
    let temporal = |text: String| Value::Temporal(Temporal { kind: TemporalKind::Duration, text });
    assert!(tx.set_property(a, "took", temporal("x".repeat(MAX_TEMPORAL_LEN + 1))).is_err());
    tx.set_property(a, "took", temporal("PT1H".into())).unwrap();
}

#[test]
fn a_foreign_directory_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("thesis.txt"), "my work").unwrap();
    let err = Store::open(dir.path(), &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::Foreign { .. }), "{err}");
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("thesis.txt")]);
    // A file is not a directory either.
    let err = Store::open(dir.path().join("thesis.txt"), &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::NotADirectory { .. }), "{err}");
}

#[test]
fn a_newer_format_is_refused_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(MARKER_FILE), "factgraph store\nformat 99\n").unwrap();
    let err = Store::open(dir.path(), &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::NewerFormat { found: 99, .. }), "{err}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_damaged_marker_or_engine_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(MARKER_FILE), "garbage").unwrap();
    assert!(matches!(Store::open(dir.path(), &OpenOptions::default()), Err(StoreError::Damaged { .. })));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(open(&path));
    // Overwrite every file sled wrote with noise.
    let mut x: u32 = 12345;
    for entry in fs::read_dir(path.join("sled")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let len = fs::metadata(&p).unwrap().len().max(4096) as usize;
            let noise: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            fs::write(&p, noise).unwrap();
        }
    }
    match Store::open(&path, &OpenOptions::default()) {
        Err(StoreError::Damaged { .. }) => {}
        // sled may also accept noise as an empty log; then the format key is missing.
        other => panic!("expected a damaged-store error, got {other:?}"),
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(open(&path));
    fs::remove_dir_all(path.join("sled")).unwrap();
    assert!(matches!(Store::open(&path, &OpenOptions::default()), Err(StoreError::Damaged { .. })));
}

#[test]
fn a_second_open_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let first = open(&path);
    let t = std::time::Instant::now();
    let err = Store::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(err, StoreError::InUse { .. }), "{err}");
    assert!(err.to_string().contains("in use"));
    assert!(t.elapsed() < std::time::Duration::from_secs(2));
    drop(first);
    open(&path);
}

#[test]
fn opening_a_missing_store_without_create_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(dir.path().join("nope"), &OpenOptions { create: false, ..Default::default() }).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }));
    assert!(!dir.path().join("nope").exists());
}

#[test]
fn export_then_import_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir.path().join("a"));
    let (_, _, accused) = seed(&a);
    // Leave a hole in the ids so import must keep them rather than renumber.
    let mut tx = a.transaction().unwrap();
    let x = tx.create_entity("Gone", "Concept").unwrap();
    tx.commit().unwrap();
    let mut tx = a.transaction().unwrap();
    tx.delete_entity(x).unwrap();
    tx.commit().unwrap();
    let first = export(&a);
    let b = open(&dir.path().join("b"));
    import_jsonl(&b, first.as_bytes()).unwrap();
    assert_eq!(export(&b), first);
    assert!(b.check().unwrap().is_ok());
    assert_eq!(b.statement(accused).unwrap(), a.statement(accused).unwrap());
    // New ids continue after the imported ones.
    let mut tx = b.transaction().unwrap();
    let y = tx.create_entity("New", "Concept").unwrap();
    assert!(y.0 > x.0);
}

#[test]
fn a_bad_import_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&dir.path().join("a"));
    seed(&a);
    let whole = export(&a);
    // A broken line before the closing line, and a line after it.
    let (body, end) = whole.trim_end().rsplit_once('\n').unwrap();
    let text = format!("{body}\n{{\"statement\": {{\"broken\": true}}}}\n{end}\n");
    let b = open(&dir.path().join("b"));
    let err = import_jsonl(&b, text.as_bytes()).unwrap_err();
    assert!(matches!(err, StoreError::Import { line: 9, .. }), "{err}");
    assert_eq!(b.counts().unwrap(), Counts::default());
    let err = import_jsonl(&b, format!("{whole}{{\"statement\": {{}}}}\n").as_bytes()).unwrap_err();
    assert!(matches!(err, StoreError::Import { line: 10, .. }), "{err}");
    assert!(err.to_string().contains("after the export's closing line"), "{err}");
    assert_eq!(b.counts().unwrap(), Counts::default());
    let err = import_jsonl(&b, "{\"format\":\"factgraph-jsonl\",\"version\":7}\n".as_bytes()).unwrap_err();
    assert!(err.to_string().contains("newer"), "{err}");
    let err = import_jsonl(&b, "hello\n".as_bytes()).unwrap_err();
    assert!(err.to_string().contains("header"), "{err}");
    // And into a non-empty store it refuses.
    assert!(import_jsonl(&a, export(&a).as_bytes()).is_err());
}

#[test]
fn check_finds_a_missing_index_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let store = open(&path);
        seed(&store);
        assert!(store.check().unwrap().is_ok());
    }
    {
        // Damage one index behind the store's back. sled's threads of the handle just
        // dropped may hold its file lock a moment longer (the store's own open waits
        // for them too, `LOCK_RETRIES`): on a busy machine the first try failed.
        let config = SledKv::config(&path.join("sled"), 1 << 20);
        let mut tries = 0;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                Err(_) if tries < 200 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                Err(e) => panic!("sled stayed locked: {e}"),
            }
        };
        let key = db.scan_prefix([keys::BY_RELATION]).next().unwrap().unwrap().0;
        db.remove(key).unwrap();
        db.flush().unwrap();
    }
    let report = open(&path).check().unwrap();
    assert!(!report.is_ok());
    assert!(report.problems.iter().any(|p| p.contains("posting lists")), "{:?}", report.problems);
}

#[test]
fn indexes_answer_every_access_path() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, trump, accused) = seed(&store);
    assert_eq!(store.statements_of(prosecutor.into(), Direction::Out).unwrap(), vec![accused]);
    assert_eq!(store.statements_of(trump.into(), Direction::In).unwrap(), vec![accused]);
    assert_eq!(store.statements_with_relation("accused").unwrap(), vec![accused]);
    assert_eq!(store.statements_attributed_to(prosecutor).unwrap(), vec![accused]);
    let sky = store.lookup("Sky").unwrap()[0];
    assert_eq!(store.statements_citing(sky).unwrap().len(), 2);
    assert_eq!(store.entities_of_kind("Person").unwrap(), vec![prosecutor, trump]);
    assert_eq!(store.kinds().unwrap(), vec![("Document".into(), 2), ("Organization".into(), 1), ("Person".into(), 2)]);
    assert_eq!(store.relations(), vec!["accused".to_string(), "reported-by".to_string()]);
}

#[test]
fn adjacency_paths_neighbourhoods_components_degrees() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let mut tx = store.transaction().unwrap();
    let d = tx.create_document("d", Properties::new(), None).unwrap();
    let ids: Vec<EntityId> = ["a", "b", "c", "x", "y"].iter().map(|n| tx.create_entity(n, "Thing").unwrap()).collect();
    let (a, b, c, x, y) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    for (s, o) in [(a, b), (c, b), (x, y)] {
        tx.add_statement(NewStatement::new(s, "r", o, Evidence::new(d, "q"))).unwrap();
    }
    tx.commit().unwrap();
    let p = store.adjacency().unwrap();
    assert_eq!((p.node_count(), p.edge_count()), (5, 3));
    assert!(p.shortest_path(a.into(), c.into(), Walk::Directed, 10).is_none());
    let path = p.shortest_path(a.into(), c.into(), Walk::Undirected, 10).unwrap();
    assert_eq!(path.nodes, vec![Node::from(a), b.into(), c.into()]);
    assert_eq!(path.statements.len(), 2);
    assert!(p.shortest_path(a.into(), c.into(), Walk::Undirected, 1).is_none(), "bounded by max hops");
    assert_eq!(p.within(a.into(), 1, Walk::Undirected), vec![(Node::from(b), 1)]);
    assert_eq!(p.within(a.into(), 2, Walk::Undirected).len(), 2);
    let comps = p.components();
    assert_eq!(comps.len(), 2);
    assert_eq!(comps[0].len(), 3);
    assert_eq!(p.degrees()[0], (Node::from(b), 2, 0));
    assert_eq!(p.page_rank(20)[0].0, Node::from(b));
}

#[test]
fn an_import_with_extreme_ids_is_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(&dir.path().join("b"));
    let text = format!(
        "{{\"format\":\"factgraph-jsonl\",\"version\":1}}\n{{\"entity\":{{\"id\":{},\"name\":\"X\",\"kind\":\"Thing\",\"aliases\":[],\"properties\":{{}}}}}}\n",
        u64::MAX
    );
    import_jsonl(&b, text.as_bytes()).unwrap();
    assert_eq!(b.lookup("x").unwrap(), vec![EntityId(u64::MAX)]);
    assert!(b.check().unwrap().is_ok());
}

#[test]
fn the_marker_records_the_engine_and_an_unknown_engine_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(Store::open(&path, &OpenOptions::default()).unwrap());
    let marker = std::fs::read_to_string(path.join(MARKER_FILE)).unwrap();
    assert_eq!(marker, "factgraph store\nformat 3\nengine sled\n");
    // A marker from before engines were recorded means sled.
    std::fs::write(path.join(MARKER_FILE), "factgraph store\nformat 1\n").unwrap();
    assert_eq!(Store::open(&path, &OpenOptions::default()).unwrap().engine(), Engine::Sled);
    std::fs::write(path.join(MARKER_FILE), "factgraph store\nformat 1\nengine rocksdb\n").unwrap();
    let err = Store::open(&path, &OpenOptions::default()).unwrap_err();
    assert!(matches!(&err, StoreError::UnknownEngine { engine, .. } if engine == "rocksdb"), "{err}");
    // Nothing was written: the marker is as we left it.
    assert!(std::fs::read_to_string(path.join(MARKER_FILE)).unwrap().contains("rocksdb"));
}

#[test]
fn the_memory_engine_is_chosen_without_a_path() {
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions { engine: Engine::Memory, ..OpenOptions::default() };
    assert!(matches!(Store::open(dir.path().join("db"), &options), Err(StoreError::Invalid(_))));
    assert!(!dir.path().join("db").exists());
    let store = Store::in_memory().unwrap();
    assert_eq!((store.engine(), store.path()), (Engine::Memory, None));
    let mut tx = store.transaction().unwrap();
    let d = tx.create_document("d", Properties::new(), None).unwrap();
    let a = tx.create_entity("Alpha", "Thing").unwrap();
    tx.add_statement(NewStatement::new(a, "knows", a, Evidence::new(d, "q"))).unwrap();
    tx.commit().unwrap();
    assert_eq!(store.counts().unwrap().statements, 1);
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn a_read_only_open_refuses_writes_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let read_only = OpenOptions { read_only: true, ..OpenOptions::default() };
    assert!(matches!(Store::open(&path, &read_only), Err(StoreError::NotFound { .. })));
    assert!(!path.exists());
    {
        let store = Store::open(&path, &OpenOptions::default()).unwrap();
        let mut tx = store.transaction().unwrap();
        tx.create_entity("Alpha", "Thing").unwrap();
        tx.commit().unwrap();
    }
    let store = Store::open(&path, &read_only).unwrap();
    assert!(store.is_read_only());
    assert_eq!(store.lookup("alpha").unwrap().len(), 1);
    assert!(matches!(store.transaction(), Err(StoreError::ReadOnly)));
}

/// openCypher's `CREATE ()`: an entity with no name is stored, counted, checked and
/// exported, found by kind but never by name.
#[test]
fn unnamed_entities_are_stored_and_found_by_kind_not_name() {
    let store = Store::in_memory().unwrap();
    let mut tx = store.transaction().unwrap();
    let a = tx.create_entity("", "Thing").unwrap();
    let b = tx.create_entity("", "Thing").unwrap();
    assert_ne!(a, b);
    tx.set_property(a, "num", Value::Int(1)).unwrap();
    assert!(tx.create_document("", Properties::new(), None).is_err(), "a document needs a name");
    tx.commit().unwrap();
    assert_eq!(store.counts().unwrap().entities, 2);
    assert_eq!(store.entities_of_kind("Thing").unwrap(), vec![a, b]);
    assert!(store.lookup("").unwrap().is_empty());
    assert!(store.names().unwrap().is_empty());
    assert!(store.check().unwrap().is_ok());
    let mut out = Vec::new();
    export_jsonl(&store, &mut out).unwrap();
    let copy = Store::in_memory().unwrap();
    import_jsonl(&copy, std::io::Cursor::new(&out)).unwrap();
    assert_eq!(copy.counts().unwrap().entities, 2);
    assert!(copy.check().unwrap().is_ok());
}

#[test]
fn a_renamed_entity_is_found_by_its_new_name_and_its_aliases_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let trump = {
        let store = open(&path);
        let (_, trump, _) = seed(&store);
        let mut tx = store.transaction().unwrap();
        tx.rename_entity(trump, "D. J. Trump").unwrap();
        tx.commit().unwrap();
        trump
    };
    let store = open(&path);
    assert_eq!(store.lookup("D. J. Trump").unwrap(), [trump]);
    assert!(store.lookup("Donald Trump").unwrap().is_empty(), "the old name is no spelling of it now");
    assert_eq!(store.lookup("Trump").unwrap(), [trump], "its aliases stay");
    let mut tx = store.transaction().unwrap();
    tx.rename_entity(trump, "").unwrap();
    tx.commit().unwrap();
    assert!(store.lookup("D. J. Trump").unwrap().is_empty());
    assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
}

#[test]
fn a_kind_changed_moves_the_entity_between_the_kind_lists() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, _, _) = seed(&store);
    let mut tx = store.transaction().unwrap();
    tx.set_kind(prosecutor, "Official").unwrap();
    assert!(tx.set_kind(prosecutor, DOCUMENT_KIND).is_err(), "nothing becomes a document");
    tx.commit().unwrap();
    assert_eq!(store.entities_of_kind("Official").unwrap(), [prosecutor]);
    assert!(!store.entities_of_kind("Person").unwrap().contains(&prosecutor));
    assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
}

#[test]
fn qualifiers_changed_in_place_keep_the_statement_its_id_evidence_and_statements_about_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (accused, rewrites) = {
        let store = open(&path);
        let (_, _, accused) = seed(&store);
        let before = store.rewrites();
        let mut tx = store.transaction().unwrap();
        let mut q = tx.qualifiers(accused).unwrap().unwrap();
        q.insert("count".into(), Value::Int(36));
        q.remove("charge");
        tx.set_qualifiers(accused, q).unwrap();
        tx.commit().unwrap();
        (accused, store.rewrites() - before)
    };
    assert_eq!(rewrites, 1, "a commit that changes a statement in place says so");
    let store = open(&path);
    let st = store.statement(accused).unwrap().unwrap();
    assert_eq!(st.qualifiers, Qualifiers::from([("count".into(), Value::Int(36))]));
    assert_eq!(st.evidence.len(), 1);
    assert_eq!(store.statements_about(accused).unwrap().len(), 1);
    assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
}

#[test]
fn a_property_removed_is_gone_and_removing_it_again_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, _, _) = seed(&store);
    let mut tx = store.transaction().unwrap();
    tx.set_property(prosecutor, "born", Value::Int(1970)).unwrap();
    tx.commit().unwrap();
    let mut tx = store.transaction().unwrap();
    assert!(tx.remove_property(prosecutor, "born").unwrap());
    assert!(!tx.remove_property(prosecutor, "born").unwrap());
    tx.commit().unwrap();
    assert!(store.entity(prosecutor).unwrap().unwrap().properties.is_empty());
}

#[test]
fn the_statements_touching_a_node_are_its_subjects_and_objects_once_each() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let (prosecutor, trump, accused) = seed(&store);
    let mut tx = store.transaction().unwrap();
    assert_eq!(tx.statements_touching(Node::Entity(prosecutor)).unwrap(), [accused]);
    assert_eq!(tx.statements_touching(Node::Entity(trump)).unwrap(), [accused]);
    assert_eq!(tx.statements_touching(Node::Statement(accused)).unwrap().len(), 1, "the report about it");
}

#[test]
fn an_undo_takes_its_commits_back_unless_another_commit_came_after() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let store = open(&path);
    let (prosecutor, trump, _) = seed(&store);
    let before = store.counts().unwrap();
    let export_before = export(&store);
    let mut tx = store.transaction().unwrap();
    let x = tx.create_entity("Xavier", "Person").unwrap();
    tx.set_property(trump, "born", Value::Int(1946)).unwrap();
    let (_, first) = tx.commit_undoable().unwrap();
    let mut tx = store.transaction().unwrap();
    let doc = tx.create_document("note", Properties::new(), None).unwrap();
    tx.create_statement(NewStatement::new(x, "met-with", prosecutor, Evidence::new(doc, "typed"))).unwrap();
    let (_, second) = tx.commit_undoable().unwrap();
    store.undo(vec![first.unwrap(), second.unwrap()]).unwrap();
    assert_eq!(store.counts().unwrap(), before);
    // The same records; only the id counters in the header have moved on.
    let records =
        |e: &str| e.lines().skip(1).filter(|l| !l.starts_with("{\"end\"")).map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(records(&export(&store)), records(&export_before));
    assert!(store.lookup("Xavier").unwrap().is_empty());
    assert_eq!(store.relation_id("met-with"), None, "a relation the commits introduced is gone");
    assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
    // Ids are not handed out again.
    let mut tx = store.transaction().unwrap();
    assert!(tx.create_entity("Yusuf", "Person").unwrap() > x);
    let (_, third) = tx.commit_undoable().unwrap();
    // A commit after it: the undo is refused, and both stay.
    let mut tx = store.transaction().unwrap();
    tx.create_entity("Zainab", "Person").unwrap();
    tx.commit().unwrap();
    assert!(store.undo(vec![third.unwrap()]).is_err());
    assert_eq!(store.lookup("Yusuf").unwrap().len(), 1);
    drop(store);
    let store = open(&path);
    assert_eq!(store.lookup("Zainab").unwrap().len(), 1);
    assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
}

#[test]
fn an_entity_of_several_labels_is_in_each_kind_list_and_leaves_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("db"));
    let mut tx = store.transaction().unwrap();
    let x = tx.create_entity("x", "Person:Official").unwrap();
    assert!(tx.create_entity("y", "Document:Person").is_err(), "a document is only a document");
    assert!(tx.create_entity("y", "Person:Person").is_err(), "each label once");
    tx.commit().unwrap();
    assert_eq!(store.entities_of_kind("Person").unwrap(), [x]);
    assert_eq!(store.entities_of_kind("Official:Person").unwrap(), [x]);
    assert!(store.has_kind("Official").unwrap());
    assert!(!store.has_kind("Official:Minister").unwrap());
    let mut tx = store.transaction().unwrap();
    tx.set_kind(x, "Official:Minister").unwrap();
    tx.commit().unwrap();
    assert!(store.entities_of_kind("Person").unwrap().is_empty());
    assert_eq!(store.entities_of_kind("Minister").unwrap(), [x]);
    assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
    let mut tx = store.transaction().unwrap();
    tx.delete_entity(x).unwrap();
    tx.commit().unwrap();
    assert!(store.entities_of_kind("Official").unwrap().is_empty());
    assert!(store.entities_of_kind("Minister").unwrap().is_empty());
    assert!(store.check().unwrap().problems.is_empty(), "{:?}", store.check().unwrap().problems);
}

/// The seed graph with a request for Trump, naming him as a participant.
fn seed_with_participant(store: &Store) -> (EntityId, StatementId) {
    let (prosecutor, trump, _) = seed(store);
    let mut tx = store.transaction().unwrap();
    let ap = tx.lookup("ap").unwrap()[0];
    let notice = tx.create_entity("red notice", "Concept").unwrap();
    let request = tx
        .add_statement(
            NewStatement::new(prosecutor, "requested", notice, Evidence::new(ap, "asked for a red notice"))
                .qualifier("for", Value::Entity(trump)),
        )
        .unwrap()
        .id();
    tx.commit().unwrap();
    (trump, request)
}

#[test]
fn participants_are_indexed_checked_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (trump, request) = {
        let store = open(&path);
        seed_with_participant(&store)
    };
    let store = open(&path);
    assert_eq!(store.statements_with_participant(trump).unwrap(), vec![request]);
    assert_eq!(store.all_participants().unwrap(), vec![(trump, vec![request])]);
    assert!(store.check().unwrap().is_ok());
    // The adjacency joins the request to Trump: he is one step from it.
    let near = store.adjacency().unwrap().within(Node::Entity(trump), 1, Walk::Undirected);
    assert!(near.contains(&(Node::Statement(request), 1)), "{near:?}");
}

#[test]
fn a_participant_follows_its_statements_qualifiers_and_retraction() {
    let store = Store::in_memory().unwrap();
    let (trump, request) = seed_with_participant(&store);
    let mut tx = store.transaction().unwrap();
    tx.set_qualifiers(request, Qualifiers::new()).unwrap();
    tx.commit().unwrap();
    assert!(store.statements_with_participant(trump).unwrap().is_empty());
    assert!(store.check().unwrap().is_ok());
    let mut tx = store.transaction().unwrap();
    tx.set_qualifiers(request, Qualifiers::from([("addressee".into(), Value::Entity(trump))])).unwrap();
    tx.commit().unwrap();
    assert_eq!(store.statements_with_participant(trump).unwrap(), vec![request]);
    let mut tx = store.transaction().unwrap();
    tx.retract(request).unwrap();
    tx.commit().unwrap();
    assert!(store.statements_with_participant(trump).unwrap().is_empty());
    assert!(store.check().unwrap().is_ok());
}

#[test]
fn an_entity_is_a_participant_only_and_never_a_document() {
    let store = Store::in_memory().unwrap();
    let (prosecutor, trump, _) = seed(&store);
    let mut tx = store.transaction().unwrap();
    let ap = tx.lookup("ap").unwrap()[0];
    let evidence = || Evidence::new(ap, "x");
    // As a property, a literal object or a list item: refused.
    assert!(tx.set_property(trump, "friend", Value::Entity(prosecutor)).is_err());
    assert!(tx.add_statement(NewStatement::new(trump, "said", Value::Entity(prosecutor), evidence())).is_err());
    let list = Value::List(vec![Value::Entity(prosecutor)]);
    assert!(tx.add_statement(NewStatement::new(trump, "said", trump, evidence()).qualifier("for", list)).is_err());
    // A document or a missing entity as a participant: refused.
    let doc = NewStatement::new(trump, "said", trump, evidence()).qualifier("for", Value::Entity(ap));
    assert!(matches!(tx.add_statement(doc), Err(StoreError::Invalid(_))));
    let missing = NewStatement::new(trump, "said", trump, evidence()).qualifier("for", Value::Entity(EntityId(9999)));
    assert!(matches!(tx.add_statement(missing), Err(StoreError::NoSuchEntity(_))));
    // And one that a claim names cannot be deleted.
    tx.add_statement(NewStatement::new(trump, "said", trump, evidence()).qualifier("for", Value::Entity(prosecutor)))
        .unwrap();
    assert!(matches!(tx.delete_entity(prosecutor), Err(StoreError::InUseEntity(_))));
}

#[test]
fn an_export_with_participants_is_version_3_and_imports_the_same() {
    let store = Store::in_memory().unwrap();
    seed(&store);
    assert!(export(&store).starts_with("{\"format\":\"factgraph-jsonl\",\"version\":2,"), "none yet: version 2");
    let store = Store::in_memory().unwrap();
    seed_with_participant(&store);
    let text = export(&store);
    assert!(text.starts_with("{\"format\":\"factgraph-jsonl\",\"version\":3,"), "{}", &text[..60]);
    assert!(text.contains("\"for\":{\"Entity\":"), "the participant is its id");
    let copy = Store::in_memory().unwrap();
    import_jsonl(&copy, text.as_bytes()).unwrap();
    assert_eq!(export(&copy), text);
    assert!(copy.check().unwrap().is_ok());
}

/// `entity_shared` keeps what it decoded while nothing is written, and never serves
/// it after a write changed the entity: a commit, and the undo that takes it back.
#[test]
fn a_shared_entity_is_kept_until_a_write_and_then_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("s"));
    let (prosecutor, _, _) = seed(&store);
    let first = store.entity_shared(prosecutor).unwrap().unwrap();
    let again = store.entity_shared(prosecutor).unwrap().unwrap();
    assert!(std::sync::Arc::ptr_eq(&first, &again), "nothing was written: the same decoded entity");
    let mut tx = store.transaction().unwrap();
    tx.add_alias(prosecutor, "the Tehran prosecutor", None).unwrap();
    let (_, undo) = tx.commit_undoable().unwrap();
    let after = store.entity_shared(prosecutor).unwrap().unwrap();
    assert!(after.aliases.iter().any(|a| a.text == "the Tehran prosecutor"), "{after:?}");
    assert_eq!(*after, store.entity(prosecutor).unwrap().unwrap());
    store.undo(vec![undo.expect("a small commit can be undone")]).unwrap();
    let undone = store.entity_shared(prosecutor).unwrap().unwrap();
    assert!(!undone.aliases.iter().any(|a| a.text == "the Tehran prosecutor"), "{undone:?}");
    assert_eq!(*undone, *first);
}
