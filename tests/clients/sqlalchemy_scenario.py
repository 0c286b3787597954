"""An application's schema and ORM session through SQLAlchemy 2 on the psycopg 3 dialect.

Checks: engine connect (the dialect's first-connect queries: version(), current_schema(),
standard_conforming_strings, show transaction isolation); Core metadata.create_all with an
autoincrement integer primary key, a unique constraint, a named index (and a unique index),
nullable / NOT NULL columns, server defaults and no foreign key (get_foreign_keys must return []); reflection via inspect(engine):
has_table, get_table_names, get_columns (names, types, nullable, defaults, autoincrement),
get_pk_constraint, get_indexes, get_unique_constraints, get_foreign_keys, Table(autoload_with=);
Core insert/select/update/delete with bound parameters and RETURNING; an ORM round trip with a
declarative class (session add/commit, select, update, delete, rollback on an IntegrityError);
metadata.drop_all.

usage: python3 sqlalchemy_scenario.py HOST PORT DBNAME   (exit status 0 when every check passed)
The user is `quiver`; CLIENT_TEST_USER / CLIENT_TEST_PASSWORD override it (e.g. to run against PostgreSQL).
"""
import datetime
import decimal
import os
import sys

import sqlalchemy as sa
from sqlalchemy import exc, inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

host, port, dbname = sys.argv[1], int(sys.argv[2]), sys.argv[3]
user = os.environ.get("CLIENT_TEST_USER", "quiver")
password = os.environ.get("CLIENT_TEST_PASSWORD")
url = URL.create("postgresql+psycopg", username=user, password=password, host=host, port=port, database=dbname)
engine = sa.create_engine(url)

# --- first connect ------------------------------------------------------------------------------
with engine.connect() as conn:
    assert conn.dialect.server_version_info >= (9,), conn.dialect.server_version_info
    assert conn.dialect.default_schema_name == "public", conn.dialect.default_schema_name
    assert conn.execute(sa.text("SELECT 1 + :x"), {"x": 1}).scalar_one() == 2
    assert conn.get_isolation_level() == "READ COMMITTED", conn.get_isolation_level()

# --- Core schema ----------------------------------------------------------------------------------
metadata = sa.MetaData()
authors = sa.Table(
    "authors",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("email", sa.String(120), nullable=False),
    sa.Column("name", sa.Text, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
    sa.Column("score", sa.Numeric(10, 2), server_default=sa.text("0")),
    sa.Column("created", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("email", name="uq_authors_email"),
)
sa.Index("ix_authors_name", authors.c.name)
books = sa.Table(
    "books",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("author_id", sa.Integer, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("isbn", sa.String(20), nullable=True),
    sa.Column("published", sa.Date),
    sa.Column("pages", sa.SmallInteger, server_default=sa.text("100")),
    sa.Column("meta", postgresql.JSONB),
    sa.Column("tags", postgresql.ARRAY(sa.Text)),
    sa.Index("ix_books_isbn", "isbn", unique=True),
    sa.Index("ix_books_author_title", "author_id", "title"),
)
metadata.create_all(engine)

# --- reflection -----------------------------------------------------------------------------------
insp = inspect(engine)
assert insp.has_table("authors") and insp.has_table("books"), insp.get_table_names()
assert not insp.has_table("nope")
assert sorted(insp.get_table_names()) == ["authors", "books"], insp.get_table_names()
assert "public" in insp.get_schema_names(), insp.get_schema_names()

cols = {c["name"]: c for c in insp.get_columns("authors")}
assert list(cols) == ["id", "email", "name", "active", "score", "created"], list(cols)
assert isinstance(cols["id"]["type"], sa.INTEGER), cols["id"]["type"]
assert isinstance(cols["email"]["type"], sa.VARCHAR) and cols["email"]["type"].length == 120, cols["email"]["type"]
assert isinstance(cols["name"]["type"], sa.TEXT), cols["name"]["type"]
assert isinstance(cols["active"]["type"], sa.BOOLEAN), cols["active"]["type"]
assert isinstance(cols["score"]["type"], sa.NUMERIC) and (cols["score"]["type"].precision, cols["score"]["type"].scale) == (10, 2), cols["score"]["type"]
assert isinstance(cols["created"]["type"], sa.TIMESTAMP) and cols["created"]["type"].timezone, cols["created"]["type"]
assert [cols[n]["nullable"] for n in cols] == [False, False, True, False, True, False], {n: c["nullable"] for n, c in cols.items()}
assert cols["id"]["autoincrement"] is True, cols["id"]
assert cols["id"]["default"] is not None and cols["id"]["default"].startswith("nextval('authors_id_seq'"), cols["id"]["default"]
assert cols["active"]["default"] == "true", cols["active"]["default"]
assert cols["score"]["default"] == "0", cols["score"]["default"]
assert cols["created"]["default"] == "now()", cols["created"]["default"]
assert cols["name"]["default"] is None, cols["name"]["default"]

bcols = {c["name"]: c for c in insp.get_columns("books")}
assert isinstance(bcols["id"]["type"], sa.BIGINT), bcols["id"]["type"]
assert isinstance(bcols["pages"]["type"], sa.SMALLINT) and bcols["pages"]["default"] == "100", bcols["pages"]
assert isinstance(bcols["published"]["type"], sa.DATE), bcols["published"]["type"]
assert isinstance(bcols["meta"]["type"], postgresql.JSONB), bcols["meta"]["type"]
assert isinstance(bcols["tags"]["type"], postgresql.ARRAY) and isinstance(bcols["tags"]["type"].item_type, sa.TEXT), bcols["tags"]["type"]

pk = insp.get_pk_constraint("authors")
assert pk["constrained_columns"] == ["id"] and pk["name"] == "authors_pkey", pk
assert insp.get_pk_constraint("books")["constrained_columns"] == ["id"], insp.get_pk_constraint("books")

uniques = insp.get_unique_constraints("authors")
assert [(u["name"], u["column_names"]) for u in uniques] == [("uq_authors_email", ["email"])], uniques

idx = {i["name"]: i for i in insp.get_indexes("authors")}
assert sorted(idx) == ["ix_authors_name", "uq_authors_email"], idx  # the pk index is left out
assert idx["uq_authors_email"]["unique"] is True and idx["uq_authors_email"].get("duplicates_constraint") == "uq_authors_email", idx
assert idx["ix_authors_name"]["column_names"] == ["name"] and idx["ix_authors_name"]["unique"] is False, idx
bidx = {i["name"]: i for i in insp.get_indexes("books")}
assert sorted(bidx) == ["ix_books_author_title", "ix_books_isbn"], bidx
assert bidx["ix_books_isbn"]["unique"] is True and bidx["ix_books_isbn"]["column_names"] == ["isbn"], bidx["ix_books_isbn"]
assert bidx["ix_books_author_title"]["column_names"] == ["author_id", "title"] and not bidx["ix_books_author_title"]["unique"], bidx

# No foreign keys in this schema (the brief leaves them out): the call works and finds none.
assert insp.get_foreign_keys("books") == [], insp.get_foreign_keys("books")
assert insp.get_foreign_keys("authors") == [], insp.get_foreign_keys("authors")

# Reflecting a whole table gives back the same shape.
reflected = sa.Table("books", sa.MetaData(), autoload_with=engine)
assert [c.name for c in reflected.columns] == ["id", "author_id", "title", "isbn", "published", "pages", "meta", "tags"], reflected.columns
assert [c.name for c in reflected.primary_key] == ["id"]
assert {i.name for i in reflected.indexes} == {"ix_books_isbn", "ix_books_author_title"}, reflected.indexes
assert not reflected.foreign_keys, reflected.foreign_keys

# --- Core DML ------------------------------------------------------------------------------------
with engine.begin() as conn:
    res = conn.execute(authors.insert().returning(authors.c.id, authors.c.active, authors.c.score), [{"email": "a@x", "name": "Ann"}])
    a_id, active, score = res.one()
    assert (a_id, active, score) == (1, True, decimal.Decimal("0.00")), (a_id, active, score)
    conn.execute(authors.insert(), {"email": "b@x", "name": "Bob", "score": decimal.Decimal("4.5")})
    conn.execute(authors.insert(), {"email": "c@x", "name": None})
    conn.execute(
        books.insert(),
        [
            {"author_id": 1, "title": "First", "isbn": "111", "published": datetime.date(2001, 1, 1), "meta": {"ed": 1}, "tags": ["a", "b"]},
            {"author_id": 1, "title": "Second", "isbn": "222", "published": None, "meta": None, "tags": []},
            {"author_id": 2, "title": "Third", "isbn": None, "published": None, "meta": None, "tags": None},
        ],
    )
with engine.connect() as conn:
    rows = conn.execute(sa.select(authors.c.id, authors.c.email, authors.c.score).order_by(authors.c.id)).all()
    assert [tuple(r) for r in rows] == [(1, "a@x", decimal.Decimal("0.00")), (2, "b@x", decimal.Decimal("4.50")), (3, "c@x", decimal.Decimal("0.00"))], rows
    created = conn.execute(sa.select(authors.c.created).where(authors.c.id == 1)).scalar_one()
    assert isinstance(created, datetime.datetime) and created.tzinfo is not None, created
    q = (
        sa.select(authors.c.name, sa.func.count(books.c.id).label("n"), sa.func.sum(books.c.pages).label("p"))
        .select_from(authors.outerjoin(books, books.c.author_id == authors.c.id))
        .group_by(authors.c.name)
        .order_by(authors.c.name.nulls_last())
    )
    assert [tuple(r) for r in conn.execute(q)] == [("Ann", 2, 200), ("Bob", 1, 100), (None, 0, None)], conn.execute(q).all()
    first = conn.execute(sa.select(books).where(books.c.title == "First")).one()
    assert first.meta == {"ed": 1} and first.tags == ["a", "b"] and first.published == datetime.date(2001, 1, 1), first
    assert conn.execute(sa.select(books.c.id).where(books.c.meta["ed"].as_integer() == 1)).scalar_one() == first.id
    assert conn.execute(sa.select(books.c.title).where(sa.literal("b") == sa.any_(books.c.tags))).scalars().all() == ["First"]
with engine.begin() as conn:
    res = conn.execute(authors.update().where(authors.c.name.is_(None)).values(name="Cid"))
    assert res.rowcount == 1, res.rowcount
    res = conn.execute(books.delete().where(books.c.isbn.is_(None)))
    assert res.rowcount == 1, res.rowcount
try:
    with engine.begin() as conn:
        conn.execute(authors.insert(), {"email": "a@x"})
    raise AssertionError("duplicate email accepted")
except exc.IntegrityError as e:
    assert e.orig.sqlstate == "23505", e.orig.sqlstate


# --- ORM ------------------------------------------------------------------------------------------
class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(100), unique=True)
    body: Mapped[str | None] = mapped_column(sa.Text)
    stars: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    created: Mapped[datetime.datetime] = mapped_column(sa.DateTime(timezone=True), server_default=sa.func.now())


Base.metadata.create_all(engine)
assert insp.has_table("notes") or inspect(engine).has_table("notes")
with Session(engine) as session:
    n1 = Note(title="first", body="hello")
    n2 = Note(title="second", stars=5)
    session.add_all([n1, n2])
    session.commit()
    assert (n1.id, n2.id) == (1, 2), (n1.id, n2.id)
    assert n1.created is not None and n1.stars == 0, (n1.created, n1.stars)
    got = session.scalars(sa.select(Note).where(Note.stars > 1)).all()
    assert [n.title for n in got] == ["second"], got
    n1.body = "changed"
    n1.stars += 3
    session.commit()
    session.expire_all()
    again = session.get(Note, 1)
    assert (again.body, again.stars) == ("changed", 3), (again.body, again.stars)
    session.add(Note(title="first"))
    try:
        session.commit()
        raise AssertionError("duplicate title accepted")
    except exc.IntegrityError as e:
        assert e.orig.sqlstate == "23505", e.orig.sqlstate
        session.rollback()
    session.execute(sa.update(Note).where(Note.title == "second").values(body="bulk"))
    session.delete(session.get(Note, 1))
    session.commit()
    rows = session.execute(sa.select(Note.id, Note.title, Note.body).order_by(Note.id)).all()
    assert [tuple(r) for r in rows] == [(2, "second", "bulk")], rows
    assert session.scalar(sa.select(sa.func.count()).select_from(Note)) == 1

Base.metadata.drop_all(engine)
metadata.drop_all(engine)
assert inspect(engine).get_table_names() == [], inspect(engine).get_table_names()
engine.dispose()
print("ok")
