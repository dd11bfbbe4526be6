//! Builds a small graph from one article's claims, closes it, reopens it, asks it
//! questions through the library API (one answer taken row by row, as a long one
//! would be) and prints it as GraphViz DOT.
//!
//! `cargo run -p factgraph --example showcase [STORE_DIR]`

use std::ops::ControlFlow;

use factgraph::{Direction, Evidence, Graph, Limits, NewStatement, Node, Params, Properties, Streamed, Value, Walk};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = match std::env::args().nth(1) {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("factgraph-example-{}", std::process::id())),
    };
    let text = "Tehran prosecutor Ali Alqasimehr said they face \"murder and terrorism charges\", \
                the state-run IRNA news agency reported. Interpol's guidelines forbid \"any intervention \
                or activities of a political\" nature.";
    {
        let graph = Graph::open(&dir)?;
        let mut tx = graph.transaction()?;
        let props = Properties::from([("outlet".to_string(), Value::from("Sky News"))]);
        let sky = tx.create_document("sky", props, Some(text.to_string()))?;
        let prosecutor = tx.create_entity("Ali Alqasimehr", "Person")?;
        tx.add_alias(prosecutor, "Qasi Mehr", None)?;
        let trump = tx.create_entity("Donald Trump", "Person")?;
        let irna = tx.create_entity("IRNA", "Organization")?;
        let interpol = tx.create_entity("Interpol", "Organization")?;
        let accused = tx
            .add_statement(
                NewStatement::new(
                    prosecutor,
                    "accused",
                    trump,
                    Evidence::new(sky, "murder and terrorism charges").by(prosecutor),
                )
                .qualifier("charge", "murder and terrorism"),
            )?
            .id();
        tx.add_statement(NewStatement::new(
            accused,
            "reported-by",
            irna,
            Evidence::new(sky, "the state-run IRNA news agency reported"),
        ))?;
        tx.add_statement(NewStatement::new(
            interpol,
            "forbids",
            Value::from("intervention or activities of a political nature"),
            Evidence::new(sky, "Interpol's guidelines forbid \"any intervention or activities of a political\" nature"),
        ))?;
        tx.commit()?;
    }

    // Reopen: everything committed is on disk.
    let graph = Graph::open(&dir)?;
    let prosecutor = &graph.lookup("qasi mehr")?[0];
    println!(
        "{} is a {} ({} statements out)",
        prosecutor.name,
        prosecutor.kind,
        graph.statements_of(prosecutor.id, Direction::Out)?.len()
    );
    for st in graph.statements_of(prosecutor.id, Direction::Out)? {
        for ev in &st.evidence {
            println!("  {} -- {:?} at {:?}", st.relation, ev.quote, ev.span);
        }
        for about in graph.statements_about(st.id)? {
            let about = graph.statement(about)?.expect("indexed statement exists");
            let by = about.object.node().and_then(|n| match n {
                Node::Entity(e) => graph.entity(e).ok().flatten().map(|e| e.name),
                Node::Statement(_) => None,
            });
            println!("  ...{} {}", about.relation, by.unwrap_or_default());
        }
    }
    let trump = graph.lookup("donald trump")?[0].id;
    let irna = graph.lookup("IRNA")?[0].id;
    let path = graph.shortest_path(Node::Entity(trump), Node::Entity(irna), Walk::Undirected, 6)?;
    println!("path Trump -> IRNA: {} statements", path.map_or(0, |p| p.statements.len()));
    // An answer row by row: each handed over as it is made and none kept, which is
    // how a long one (a hub's sources) is best read.
    graph.query_each("who reported Trump", &Params::new(), &Limits::default(), |streamed| {
        match streamed {
            Streamed::Result { columns, .. } => println!("who reported Trump: {}", columns.join(" | ")),
            Streamed::Row(row) => {
                println!("  {}", row.cells.iter().map(ToString::to_string).collect::<Vec<_>>().join(" | "))
            }
        }
        ControlFlow::Continue(())
    })?;
    print!("{}", graph.to_dot(None, &Default::default())?);
    drop(graph);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
