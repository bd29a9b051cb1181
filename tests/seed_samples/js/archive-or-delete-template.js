// Seed "Archive or delete template" combined sample; the token, ids and host come from the
// environment, and PERMANENT=1 chooses the permanent delete (the sample's own switch).
const accessToken = process.env.TOKEN;
const orgId = process.env.ORG_ID;
const checklistId = process.env.CHECKLIST_ID;
// Choose the action: true to permanently delete, false (or omit) to archive
const permanentlyDelete = process.env.PERMANENT === '1';
const headers = new Headers();
headers.append('Authorization', `Bearer ${accessToken}`);
headers.append('Accept', 'application/json');
headers.append('X-Tallyfy-Client', 'APIClient');
const actionPath = permanentlyDelete ? '/delete' : '';
const apiUrl = `${process.env.BASE}/organizations/${orgId}/checklists/${checklistId}${actionPath}`;
fetch(apiUrl, {
method: 'DELETE',
headers: headers
})
.then(response => {
const successStatus = permanentlyDelete ? 204 : 200; // Delete often returns 204, Archive 200
const successStatusAlt = permanentlyDelete ? 200 : null; // Delete might also return 200
if (response.status === successStatus || (successStatusAlt && response.status === successStatusAlt)) {
const actionText = permanentlyDelete ? 'deleted' : 'archived';
console.log(`Successfully ${actionText} template ${checklistId}. Status: ${response.status}`);
if (response.status === 204) {
return null; // No body expected for 204
} else {
// Try to parse JSON for 200 OK
return response.json().catch(e => {
console.warn("Could not parse JSON response:", e);
return null;
});
}
} else {
// Try to parse error JSON, fallback to text
return response.json()
.catch(() => response.text())
.then(errData => {
const actionText = permanentlyDelete ? 'delete' : 'archive';
console.error(`Failed to ${actionText} template ${checklistId}. Status: ${response.status}`, errData);
throw new Error(`HTTP error! status: ${response.status}`);
});
}
})
.then(data => {
if (data) {
const actionText = permanentlyDelete ? 'Deleted' : 'Archived';
console.log(`${actionText} template details (if returned):`);
console.log(JSON.stringify(data, null, 2));
}
})
.catch(error => {
const actionText = permanentlyDelete ? 'deleting' : 'archiving';
console.error(`Error ${actionText} template ${checklistId}:`, error.message);
});
