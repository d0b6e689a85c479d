using Amx.Tool.Tests.Llm.Fakes;
using static Amx.Tool.Tests.HistoryRead.HistoryListTests;

namespace Amx.Tool.Tests.HistoryRead;

/// <summary><c>amx ask</c> over a real PostgreSQL catalog and its shared history (issue 7 item 5).</summary>
public class AskTests
{
    const string Warehouse = """
        CREATE SCHEMA sales;
        CREATE TABLE sales.customer (c_id int PRIMARY KEY, c_first_name text, c_last_name text, c_email_address text, c_phone text, c_birth_date date);
        CREATE TABLE sales.orders (o_id int PRIMARY KEY, o_customer_id int REFERENCES sales.customer, o_amount numeric(12,2), o_date date);
        CREATE TABLE sales.supplier (s_id int PRIMARY KEY, s_name text, s_contact text);
        CREATE SCHEMA hr;
        CREATE TABLE hr.employee (emp_id int PRIMARY KEY, emp_nm text, contact_info text, dept_cd text);
        COMMENT ON COLUMN hr.employee.contact_info IS 'Work phone and desk location of the employee';
        """;

    [Test]
    public async Task Offline_ranking_puts_the_customer_email_column_first_and_uses_drafted_descriptions()
    {
        using var s = await SeededStore.CreateAsync(warehouseSql: Warehouse, inProcess: true);
        var r = Ok(s.Amx.Run("ask", "which column holds a customer's email?"));
        var rows = r.Stdout.Split('\n').Skip(1).Where(l => l.Length > 0 && !l.StartsWith(' ')).ToList();
        Assert.That(rows[0], Does.StartWith("sales.customer.c_email_address "), r.Stdout);

        // A description drafted into the history (no live comment) makes an oddly named column findable.
        await s.InsertRunAsync("run_1", "bob@acme.com", DateTime.UtcNow.AddHours(-1), "sales", "drafted", 1, 0);
        await s.InsertResultAsync("run_1", "sales.supplier.s_contact", "Email address used to send purchase orders to the supplier");
        var json = Json(s.Amx.Run("ask", "supplier email for purchase orders", "--output", "json"));
        var first = json.GetProperty("matches")[0];
        Assert.That(first.GetProperty("target").GetString(), Is.EqualTo("sales.supplier.s_contact"));
        Assert.That(first.GetProperty("source").GetString(), Is.EqualTo("run_1"), "cites where the description came from");
        Assert.That(first.GetProperty("score").GetDouble(), Is.GreaterThan(0));
        Assert.That(json.GetProperty("provider").GetString(), Is.EqualTo("offline"));

        // A live comment is found too, with an abbreviated column name.
        var hr = Json(s.Amx.Run("ask", "employee work phone", "--output", "json"));
        Assert.That(hr.GetProperty("matches")[0].GetProperty("target").GetString(), Is.EqualTo("hr.employee.contact_info"));
        Assert.That(hr.GetProperty("matches")[0].GetProperty("source").GetString(), Is.EqualTo("comment"));
    }

    [Test]
    public async Task Offline_says_plainly_when_nothing_matches()
    {
        using var s = await SeededStore.CreateAsync(warehouseSql: Warehouse, inProcess: true);
        var r = Ok(s.Amx.Run("ask", "zebra giraffe migration"));
        Assert.That(r.Stdout, Does.Contain("Nothing in wh's catalog matches \"zebra giraffe migration\""));
        Assert.That(Json(s.Amx.Run("ask", "zebra giraffe migration", "--output", "json")).GetProperty("matches").GetArrayLength(), Is.Zero);
        var empty = s.Amx.Run("ask", "  ");
        Assert.That(empty.ExitCode, Is.EqualTo(2), empty.ToString());
    }

    [Test]
    public async Task With_an_llm_profile_it_returns_the_models_answer_and_cites_the_targets_it_gave_the_model()
    {
        await using var llm = new FakeLlmServer(FakeProtocol.OpenAi);
        const string Answer = "The customer's email is in `sales.customer.c_email_address`.";
        llm.Responder = _ => FakeReply.Answer(Answer);
        using var s = await SeededStore.CreateAsync(warehouseSql: Warehouse, inProcess: true);
        s.Amx.Env["FAKE_KEY"] = "sk-test";
        Ok(s.Amx.Run("add-llm-profile", "gpt", "--provider", "openai", "--model", "gpt-4o-mini", "--api-key-env", "FAKE_KEY", "--base-url", llm.BaseUrl));

        var r = Ok(s.Amx.Run("ask", "which column holds a customer's email?", "--llm-profile", "gpt"));
        Assert.That(r.Stdout, Does.Contain(Answer));
        Assert.That(r.Stdout, Does.Contain("sales.customer.c_email_address"));
        Assert.That(r.Stdout, Does.Not.Contain("sk-test"));
        var request = llm.Requests.Single();
        Assert.That(request.UserTexts().Single(), Does.Contain("`sales.customer.c_email_address`").And.Contain("which column holds a customer's email?"));

        var json = Json(s.Amx.Run("ask", "which column holds a customer's email?", "--llm-profile", "gpt", "--output", "json"));
        Assert.That(json.GetProperty("answer").GetString(), Is.EqualTo(Answer));
        Assert.That(json.GetProperty("provider").GetString(), Is.EqualTo("openai"));
        Assert.That(json.GetProperty("matches")[0].GetProperty("target").GetString(), Is.EqualTo("sales.customer.c_email_address"));

        llm.Responder = _ => FakeReply.Error(500, "boom");
        var failed = s.Amx.Run("ask", "which column holds a customer's email?", "--llm-profile", "gpt");
        Assert.That(failed.ExitCode, Is.EqualTo(1), failed.ToString());
        Assert.That(failed.Stderr, Does.Contain("hint:").And.Contain("--llm-profile offline"));
    }
}
