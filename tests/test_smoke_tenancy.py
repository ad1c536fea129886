from tests.tenancy import ADMIN_EMAIL, TenantFixture


def test_isolation_tenants_have_identical_admins_in_their_own_schemas(alpha: TenantFixture, beta: TenantFixture):
    admin_a = alpha.user()
    admin_b = beta.user()

    assert admin_a.email == admin_b.email == ADMIN_EMAIL
    assert admin_a.pk == admin_b.pk  # same ids: a leak would show the wrong tenant's row
    assert alpha.tenant.schema_name != beta.tenant.schema_name
