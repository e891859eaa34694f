def test_list_queues_has_inbox(tenant):
    body = tenant.ok("queues", {})
    assert [q["name"] for q in body["queues"]] == ["Inbox"]
