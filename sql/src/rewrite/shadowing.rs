//! Relations in a subquery that shadow an outer relation's name get a name of their own.
//!
//! In `SELECT id FROM orders WHERE amount > ALL (SELECT amount FROM orders WHERE ...)` the
//! inner `orders` hides the outer one, and PostgreSQL resolves every `orders.x` and bare
//! `amount` inside the subquery to the inner table. DataFusion resolves names the same
//! way, but when it later turns the subquery into a join both sides carry the qualifier
//! `orders`, and the join condition can bind to the wrong side. Renaming the inner
//! relation (`orders AS orders__1`, and `orders.x` → `orders__1.x` within its scope)
//! keeps the meaning and makes every qualifier unique.
//!
//! Scopes follow the query nesting: each query's FROM names are visible to the queries
//! nested in it; the target of UPDATE / DELETE / INSERT counts as an outer relation.

use datafusion::sql::sqlparser::ast::{
    Expr, Ident, ObjectName, ObjectNamePart, Query, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableAlias,
    TableFactor, TableObject, VisitMut, VisitorMut,
};
use std::collections::HashMap;
use std::ops::ControlFlow;

/// Renames shadowing relations throughout `stmt`.
pub fn rewrite(stmt: &mut Statement) {
    let _ = stmt.visit(&mut Renamer::default());
}

/// One query level: the relation names it brings into scope, and the renames it made.
#[derive(Default)]
struct Scope {
    names: Vec<String>,
    renames: HashMap<String, String>,
}

#[derive(Default)]
struct Renamer {
    scopes: Vec<Scope>,
    next: usize,
    /// Whether each visited statement pushed a scope (popped in post_visit_statement).
    statement_scopes: Vec<bool>,
}

fn normalize(i: &Ident) -> String {
    crate::normalize_ident(i)
}

/// The name a FROM item is referred to by, and its alias (to change that name).
fn effective_name(t: &mut TableFactor) -> Option<(String, &mut Option<TableAlias>)> {
    match t {
        TableFactor::Table { name, alias, .. } => {
            let n = match alias {
                Some(a) => normalize(&a.name),
                None => last_name(name)?,
            };
            Some((n, alias))
        }
        TableFactor::Derived { alias, .. }
        | TableFactor::TableFunction { alias, .. }
        | TableFactor::UNNEST { alias, .. }
        | TableFactor::Function { alias, .. } => {
            let n = normalize(&alias.as_ref()?.name);
            Some((n, alias))
        }
        _ => None,
    }
}

/// Calls `f` on every FROM item of the selects in `body` (all branches of a set operation).
fn for_each_from_item(body: &mut SetExpr, f: &mut impl FnMut(&mut TableFactor)) {
    match body {
        SetExpr::Select(s) => {
            for twj in s.from.iter_mut() {
                f(&mut twj.relation);
                for j in twj.joins.iter_mut() {
                    f(&mut j.relation);
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            for_each_from_item(left, f);
            for_each_from_item(right, f);
        }
        SetExpr::Query(q) => for_each_from_item(&mut q.body, f),
        _ => {}
    }
}

/// Renames qualified wildcards (`orders.*`) of the selects in `body`.
fn rename_wildcards(body: &mut SetExpr, renames: &HashMap<String, String>) {
    match body {
        SetExpr::Select(s) => {
            for item in s.projection.iter_mut() {
                if let SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) = item
                    && let Some(ObjectNamePart::Identifier(last)) = name.0.last()
                    && let Some(new) = renames.get(&normalize(last))
                {
                    *name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(new.clone()))]);
                }
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            rename_wildcards(left, renames);
            rename_wildcards(right, renames);
        }
        _ => {}
    }
}

impl VisitorMut for Renamer {
    type Break = ();

    fn pre_visit_statement(&mut self, stmt: &mut Statement) -> ControlFlow<()> {
        let target = match stmt {
            Statement::Update(u) => match &u.table.relation {
                TableFactor::Table { name, alias, .. } => alias.as_ref().map(|a| normalize(&a.name)).or_else(|| last_name(name)),
                _ => None,
            },
            Statement::Delete(d) => match &d.from {
                datafusion::sql::sqlparser::ast::FromTable::WithFromKeyword(t)
                | datafusion::sql::sqlparser::ast::FromTable::WithoutKeyword(t) => match t.first().map(|t| &t.relation) {
                    Some(TableFactor::Table { name, alias, .. }) => alias.as_ref().map(|a| normalize(&a.name)).or_else(|| last_name(name)),
                    _ => None,
                },
            },
            Statement::Insert(i) => match &i.table {
                TableObject::TableName(name) => i.table_alias.as_ref().map(|a| normalize(&a.alias)).or_else(|| last_name(name)),
                _ => None,
            },
            _ => None,
        };
        self.statement_scopes.push(target.is_some());
        if let Some(t) = target {
            self.scopes.push(Scope { names: vec![t], renames: HashMap::new() });
        }
        ControlFlow::Continue(())
    }

    fn post_visit_statement(&mut self, _stmt: &mut Statement) -> ControlFlow<()> {
        if self.statement_scopes.pop() == Some(true) {
            self.scopes.pop();
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, q: &mut Query) -> ControlFlow<()> {
        let mut scope = Scope::default();
        let outer = &self.scopes;
        let next = &mut self.next;
        for_each_from_item(&mut q.body, &mut |t| {
            let Some((name, alias)) = effective_name(t) else {
                return;
            };
            if outer.iter().any(|s| s.names.contains(&name)) {
                let new = match scope.renames.get(&name) {
                    Some(n) => n.clone(),
                    None => {
                        *next += 1;
                        format!("{name}__{next}")
                    }
                };
                match alias {
                    Some(a) => a.name = Ident::new(new.clone()),
                    None => *alias = Some(TableAlias { explicit: true, name: Ident::new(new.clone()), columns: vec![], at: None }),
                }
                scope.renames.insert(name.clone(), new);
            }
            scope.names.push(name);
        });
        if !scope.renames.is_empty() {
            rename_wildcards(&mut q.body, &scope.renames);
        }
        self.scopes.push(scope);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _q: &mut Query) -> ControlFlow<()> {
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        let Expr::CompoundIdentifier(parts) = e else {
            return ControlFlow::Continue(());
        };
        if parts.len() < 2 {
            return ControlFlow::Continue(());
        }
        let qualifier = normalize(&parts[parts.len() - 2]);
        // The innermost scope that knows the name decides what it refers to.
        let Some(scope) = self.scopes.iter().rev().find(|s| s.names.contains(&qualifier)) else {
            return ControlFlow::Continue(());
        };
        if let Some(new) = scope.renames.get(&qualifier) {
            let column = parts[parts.len() - 1].clone();
            *parts = vec![Ident::new(new.clone()), column];
        }
        ControlFlow::Continue(())
    }
}

fn last_name(name: &ObjectName) -> Option<String> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => Some(normalize(i)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(sql: &str) -> String {
        crate::rewrite::rewritten_by(sql, rewrite)
    }

    #[test]
    fn inner_relation_with_an_outer_name_is_renamed_in_its_scope_only() {
        assert_eq!(
            rewritten(
                "SELECT id FROM orders WHERE amount > ALL (SELECT orders.amount FROM orders WHERE customer = 'bob') AND orders.id > 0"
            ),
            "SELECT id FROM orders WHERE amount > ALL(SELECT orders__1.amount FROM orders AS orders__1 WHERE customer = 'bob') AND orders.id > 0"
        );
    }

    #[test]
    fn aliases_and_outer_references_are_kept_apart() {
        assert_eq!(
            rewritten("SELECT * FROM t a WHERE EXISTS (SELECT 1 FROM t a WHERE a.x = 1) AND EXISTS (SELECT 1 FROM t b WHERE b.x = a.x)"),
            "SELECT * FROM t a WHERE EXISTS (SELECT 1 FROM t a__1 WHERE a__1.x = 1) AND EXISTS (SELECT 1 FROM t b WHERE b.x = a.x)"
        );
    }

    #[test]
    fn dml_targets_are_outer_relations() {
        assert_eq!(
            rewritten("DELETE FROM items WHERE id IN (SELECT items.id FROM items WHERE qty = 0)"),
            "DELETE FROM items WHERE id IN (SELECT items__1.id FROM items AS items__1 WHERE qty = 0)"
        );
    }

    #[test]
    fn unrelated_names_are_untouched() {
        let sql = "SELECT * FROM a WHERE a.x IN (SELECT b.y FROM b)";
        assert_eq!(rewritten(sql), sql);
    }
}
