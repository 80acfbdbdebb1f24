# SPDX-License-Identifier: Apache-2.0
"""REST API: listing — filters, sorting, limit/marker pagination following the
next links, fields=, and the errors for bad filters, sort keys, markers and
limits (octavia-api.md §6, transcript "list lbs" / "pagination")."""
import urllib.parse

import pytest

from apiutil import (LB, LISTENERS, POOLS, UNKNOWN, assert_fault, create_lb, create_listener,
                     create_pool)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

NAMES = ["delta", "alpha", "echo", "bravo", "charlie"]


@pytest.fixture
def lbs(api):
    """Five LBs: names in NAMES order of creation, 'bravo' disabled, tags."""
    made = []
    for i, n in enumerate(NAMES):
        tags = ["all"] + (["even"] if i % 2 == 0 else ["odd"]) + (["x", "y"] if n == "echo" else [])
        made.append(create_lb(api, name=n, tags=tags, admin_state_up=(n != "bravo"),
                              description=f"d{i}"))
    return made


def ids(r, key="loadbalancers"):
    assert r.status == 200, r
    return [o["id"] for o in r.body[key]]


def by_name(lbs, *names):
    return [next(lb["id"] for lb in lbs if lb["name"] == n) for n in names]


def test_filter_by_name_and_description(api, lbs):
    assert ids(api.get(f"{LB}?name=echo")) == by_name(lbs, "echo")
    assert ids(api.get(f"{LB}?description=d3")) == by_name(lbs, "bravo")
    assert ids(api.get(f"{LB}?name=echo&description=d3")) == []
    assert ids(api.get(f"{LB}?name=nobody")) == []
    assert ids(api.get(f"{LB}?id={lbs[1]['id']}")) == [lbs[1]["id"]]
    # transcript: a non-UUID id filter is just an empty list
    r = api.get(f"{LB}?id=lb1b")
    assert r.status == 200 and r.body == {"loadbalancers": [], "loadbalancers_links": []}, r


def test_filter_admin_state_up(api, lbs):
    up = ids(api.get(f"{LB}?admin_state_up=true&fields=id"))
    assert sorted(up) == sorted(by_name(lbs, "delta", "alpha", "echo", "charlie"))
    assert ids(api.get(f"{LB}?admin_state_up=false")) == by_name(lbs, "bravo")
    assert ids(api.get(f"{LB}?admin_state_up=False")) == by_name(lbs, "bravo")


def test_filter_boolean_spellings(api, lbs):
    """octavia-api.md §6: boolean filters accept any bool string."""
    assert ids(api.get(f"{LB}?admin_state_up=0")) == by_name(lbs, "bravo")
    assert ids(api.get(f"{LB}?admin_state_up=no")) == by_name(lbs, "bravo")
    assert len(ids(api.get(f"{LB}?admin_state_up=1"))) == 4


def test_filter_and_sort_integers(api):
    lb = create_lb(api)
    ports = [create_listener(api, lb["id"])["protocol_port"] for _ in range(3)]
    r = api.get(f"{LISTENERS}?sort=protocol_port:desc&fields=protocol_port")
    assert r.status == 200, r
    assert [o["protocol_port"] for o in r.body["listeners"]] == sorted(ports, reverse=True), r
    r = api.get(f"{LISTENERS}?protocol_port={ports[1]}&fields=protocol_port")
    assert r.body["listeners"] == [{"protocol_port": ports[1]}], r
    r = api.get(f"{LISTENERS}?connection_limit=-1")
    assert len(r.body["listeners"]) == 3, r


def test_filter_tags(api, lbs):
    assert sorted(ids(api.get(f"{LB}?tags=odd"))) == sorted(by_name(lbs, "alpha", "bravo"))
    assert len(ids(api.get(f"{LB}?tags=all"))) == 5
    # tags=a&tags=b: all of them
    assert ids(api.get(f"{LB}?tags=x&tags=y")) == by_name(lbs, "echo")
    assert ids(api.get(f"{LB}?tags=x&tags=odd")) == []
    r = api.get(f"{LB}?tags=x&fields=id&fields=tags")
    assert r.body["loadbalancers"] == [{"id": by_name(lbs, "echo")[0],
                                        "tags": ["all", "even", "x", "y"]}], r


def test_filter_tags_comma_list(api, lbs):
    """octavia-api.md §6: tags=a,b means all of a and b."""
    assert ids(api.get(f"{LB}?tags=x,y")) == by_name(lbs, "echo")
    assert sorted(ids(api.get(f"{LB}?tags=all,odd"))) == sorted(by_name(lbs, "alpha", "bravo"))


def test_filter_children_by_loadbalancer_id(api):
    """octavia-api.md §6: loadbalancer_id filters listeners and pools by owning LB
    (what `openstack loadbalancer listener list --loadbalancer` sends)."""
    a, b = create_lb(api), create_lb(api)
    la = create_listener(api, a["id"])
    lb_ = create_listener(api, b["id"])
    pa = create_pool(api, lb_id=a["id"])
    create_pool(api, lb_id=b["id"])
    assert ids(api.get(f"{LISTENERS}?loadbalancer_id={a['id']}"), "listeners") == [la["id"]]
    assert ids(api.get(f"{LISTENERS}?loadbalancer_id={b['id']}"), "listeners") == [lb_["id"]]
    assert ids(api.get(f"{POOLS}?loadbalancer_id={a['id']}"), "pools") == [pa["id"]]


def test_sort(api, lbs):
    names = lambda r: [o["name"] for o in r.body["loadbalancers"]]  # noqa: E731
    assert names(api.get(f"{LB}?sort=name:asc")) == sorted(NAMES)
    assert names(api.get(f"{LB}?sort=name")) == sorted(NAMES)  # asc by default
    assert names(api.get(f"{LB}?sort=name:desc")) == sorted(NAMES, reverse=True)
    assert names(api.get(f"{LB}?sort_key=name&sort_dir=desc")) == sorted(NAMES, reverse=True)
    assert names(api.get(f"{LB}?sort=description:desc")) == list(reversed(NAMES))
    # default order: creation
    assert names(api.get(LB)) == NAMES
    # sort with filter
    assert names(api.get(f"{LB}?tags=even&sort=name:desc")) == ["echo", "delta", "charlie"]


def test_sort_multiple_keys(api, lbs):
    """sort=key1:dir1,key2:dir2 (octavia-api.md §6)."""
    r = api.get(f"{LB}?sort=name:desc,id:asc")
    assert r.status == 200, r
    assert [o["name"] for o in r.body["loadbalancers"]] == sorted(NAMES, reverse=True), r


def follow(api, first, key="loadbalancers", max_pages=20):
    """Follows the next links from `first`; returns (pages of ids, hrefs)."""
    pages, hrefs, url = [], [], first
    for _ in range(max_pages):
        r = api.get(url)
        assert r.status == 200, (url, r)
        pages.append([o["id"] for o in r.body[key]])
        nxt = [l for l in r.body[f"{key}_links"] if l["rel"] == "next"]
        assert len(nxt) <= 1, r.body
        if not nxt:
            return pages, hrefs
        href = nxt[0]["href"]
        hrefs.append(href)
        u = urllib.parse.urlsplit(href)
        assert (u.scheme, u.netloc) == ("http", f"127.0.0.1:{api.port}"), href
        url = u.path + "?" + u.query
    raise AssertionError(f"still a next link after {max_pages} pages: {hrefs}")


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_pagination_follows_next_links(api, lbs, limit):
    all_ids = ids(api.get(LB))
    pages, hrefs = follow(api, f"{LB}?limit={limit}")
    seen = [i for p in pages for i in p]
    assert seen == all_ids, pages  # same order, no duplicates, nothing missing
    assert all(len(p) <= limit for p in pages), pages
    assert all(len(p) == limit for p in pages[:-1]), pages
    assert len(hrefs) >= (len(all_ids) - 1) // limit
    for h, page in zip(hrefs, pages):
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(h).query)
        assert q["limit"] == [str(limit)] and q["marker"] == [page[-1]], h


def test_pagination_with_sort(api, lbs):
    pages, hrefs = follow(api, f"{LB}?limit=2&sort=name:desc")
    names = {lb["id"]: lb["name"] for lb in lbs}
    assert [names[i] for p in pages for i in p] == sorted(NAMES, reverse=True), pages
    assert f"{LB}?limit=2&sort=name:desc&marker=" in hrefs[0], hrefs
    assert pages[0] == by_name(lbs, "echo", "delta")


def test_pagination_with_sort_key_and_dir(api, lbs):
    """The next link keeps sort_key/sort_dir (octavia-api.md §6: links keep limit,
    sort/sort_key), so following it continues in the same order."""
    pages, hrefs = follow(api, f"{LB}?limit=2&sort_key=name&sort_dir=desc")
    names = {lb["id"]: lb["name"] for lb in lbs}
    assert [names[i] for p in pages for i in p] == sorted(NAMES, reverse=True), pages


def test_pagination_previous_link(api, lbs):
    """Transcript "pagination: follow next": a page fetched with a marker also
    carries a previous link (marker = its first id, page_reverse=True)."""
    first = api.get(f"{LB}?limit=2")
    nxt = [l["href"] for l in first.body["loadbalancers_links"] if l["rel"] == "next"]
    assert len(nxt) == 1, first
    u = urllib.parse.urlsplit(nxt[0])
    r = api.get(u.path + "?" + u.query)
    assert r.status == 200, r
    prev = [l["href"] for l in r.body["loadbalancers_links"] if l["rel"] == "previous"]
    assert len(prev) == 1, r.body["loadbalancers_links"]
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(prev[0]).query)
    assert q["marker"] == [r.body["loadbalancers"][0]["id"]] and \
        q["page_reverse"] == ["True"], prev


def test_pagination_links_as_octavia(api, lbs):
    """Transcript "pagination: follow next": a page fetched with a marker has a
    previous link, then a next link whenever it is full, even when nothing
    follows (Octavia does not look further); an empty page has none."""
    all_ids = ids(api.get(LB))
    base = f"http://127.0.0.1:{api.port}{LB}?limit=2"
    r = api.get(f"{LB}?limit=2&marker={all_ids[2]}")
    assert ids(r) == all_ids[3:5], r
    assert r.body["loadbalancers_links"] == [
        {"href": f"{base}&marker={all_ids[3]}&page_reverse=True", "rel": "previous"},
        {"href": f"{base}&marker={all_ids[4]}", "rel": "next"}], r
    r = api.get(f"{LB}?limit=2&marker={all_ids[4]}")
    assert r.body == {"loadbalancers": [], "loadbalancers_links": []}, r


def test_limit_without_more(api, lbs):
    r = api.get(f"{LB}?limit=10")
    assert len(ids(r)) == 5 and r.body["loadbalancers_links"] == [], r


@pytest.mark.parametrize("limit", ["0", "-1", "infinite"])
def test_no_limit(api, lbs, limit):
    """octavia-api.md §6: limit "infinite" or < 1 means no limit."""
    r = api.get(f"{LB}?limit={limit}")
    assert r.status == 200, r
    assert len(r.body["loadbalancers"]) == 5 and r.body["loadbalancers_links"] == [], r


def test_fields(api, lbs):
    r = api.get(f"{LB}?fields=id&fields=name")
    assert r.status == 200, r
    assert r.body["loadbalancers"] == [{"id": lb["id"], "name": lb["name"]} for lb in lbs], r
    # transcript: a comma-joined fields= matches no field
    r = api.get(f"{LB}?name=alpha&fields=id,name")
    assert r.status == 200 and r.body == {"loadbalancers": [{}], "loadbalancers_links": []}, r
    r = api.get(f"{LB}?limit=2&fields=id")
    assert r.body["loadbalancers"] == [{"id": lbs[0]["id"]}, {"id": lbs[1]["id"]}], r
    assert len(r.body["loadbalancers_links"]) == 1, r


def test_fields_on_show(api):
    """Transcript "show listener with fields": fields= also works on a single GET."""
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    r = api.get(f"{LISTENERS}/{l['id']}?fields=id&fields=protocol")
    assert r.status == 200, r
    assert r.body == {"listener": {"id": l["id"], "protocol": "TCP"}}, r
    r = api.get(f"{LB}/{lb['id']}?fields=vip_address")
    assert r.body == {"loadbalancer": {"vip_address": lb["vip_address"]}}, r


def test_invalid_filter(api, lbs):
    assert_fault(api.get(f"{LB}?colour=red"), 400,
                 "One or more arguments are either duplicate or invalid")
    assert_fault(api.get(f"{LB}?name=alpha&colour=red&limit=1"), 400,
                 "One or more arguments are either duplicate or invalid")


def test_invalid_filter_on_empty_collection(api):
    """The filter key is invalid whether or not something is there to list."""
    assert_fault(api.get(f"{LB}?colour=red"), 400,
                 "One or more arguments are either duplicate or invalid")


def test_bad_sort_key(api, lbs):
    assert_fault(api.get(f"{LB}?sort=colour:asc"), 400, "Supplied sort key 'colour' is not valid.")


def test_bad_marker(api, lbs):
    assert_fault(api.get(f"{LB}?marker={UNKNOWN}"), 400,
                 f"Supplied pagination marker '{UNKNOWN}' is not valid.")
    assert_fault(api.get(f"{LB}?limit=2&marker=nonsense"), 400,
                 "Supplied pagination marker 'nonsense' is not valid.")


def test_bad_limit(api, lbs):
    r = api.get(f"{LB}?limit=abc")
    assert r.status == 400, r
    # transcript "pagination: bad limit": the web framework's error shape, not a fault
    assert r.body == {"code": 400, "title": "Bad Request",
                      "description": "Supplied pagination limit 'abc' is not valid."}, r
